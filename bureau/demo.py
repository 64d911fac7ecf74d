"""A year of demo data for care, organisations and volunteers (`yinling-bureau demo`, docs/care.md).

For each site, deterministically from a seed, over the year up to `as_of`: situations of about a
fifth of the members and a year of visits and calls, leaving members due and overdue on the care
lists; a party branch, a class's 临时党支部, a volunteer team and a club with rosters, their
activities over the year with sign-ins, and an upcoming one of each; the talent pool and needs in
every state; volunteers' kiosk hours.

Everything goes through what staff and kiosks use: the domain functions of bureau/care,
bureau/organisations, bureau/volunteers and bureau/programme (each audited, as the demo user
"demo"), and for what a kiosk records — members of a site that has none, sign-ins, volunteer hours
— facts pushed through bureau.ingest and applied by the rules (bureau.rules.worker.catch_up).
Those facts come from a kiosk of the site's own made for the demo (named 演示数据) and revoked
afterwards: pushing as one of the site's real kiosks would take sequence numbers its outbox holds
and stop its next push (epoch_conflict).  That kiosk also marks the site as done: a second run on it
is refused.
"""

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from uuid6 import uuid7

from bureau import admin, ingest, streams
from bureau.care import festivals, lists, situation, visits
from bureau.models import HARDSHIPS, BureauUser, Course, Kiosk, Member, Need, Site, Term
from bureau.organisations import orgs, rosters
from bureau.programme import activities, classes
from bureau.rules.rounds import service_points
from bureau.rules.worker import catch_up
from bureau.store import write
from bureau.volunteers import needs, skills
from contract.facts import MAX_EVENTS, SCHEMA_V
from contract.points import DEFAULT_RULES

USER = "demo"  # who the audit trail says made it
KIOSK_NAME = "演示数据"
NEW_MEMBERS = 60  # a site with no members gets this many fictional ones
SHARE = 0.2  # of the members get a situation …
AT_LEAST = 16  # … at least this many (each role of the care lists has one)
SKILLED = 0.1  # of the members are in the talent pool

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["建华", "秀英", "志强", "桂兰", "国栋", "淑珍", "德明", "美玲", "文斌", "玉梅", "振华", "丽华", "金山", "凤英"]
GIVEN += [
    "长林",
    "素芬",
    "宝成",
    "慧敏",
    "福生",
    "翠兰",
    "永明",
    "春燕",
    "家骏",
    "佩琴",
    "荣华",
    "月娥",
    "正义",
    "雅琴",
]
VISITORS = ["社工 周红", "志愿者 吴敏", "社工 孙丽娟"]
RELATIONS = ["儿子", "女儿", "配偶", "侄子", "外甥女"]
OUTCOMES = {
    "visit": [
        "老人精神不错，血压平稳，聊了聊家常。",
        "家里收拾得很干净，子女每周回来一次，暂无困难。",
        "腿脚不太方便，下楼吃力，想请志愿者陪同去医院复查。",
        "送去慰问品，老人很高兴，说下次活动一定来参加。",
        "老伴去年走了，情绪有些低落，陪他聊了一个多小时。",
    ],
    "call": [
        "电话问候，老人说最近感冒刚好，在家休息。",
        "电话里说身体挺好，就是天冷不愿出门。",
        "家属接的电话，说老人去女儿家住一阵子。",
        "电话问候，提醒按时吃药，下周来中心量血压。",
    ],
    "hospital": ["到医院探望，手术顺利，正在恢复。", "病情稳定，家属陪护，转达了中心的问候。"],
    "festival": ["节前走访，送去慰问金和米面油，老人连声道谢。", "节日慰问，一起包了饺子，老人很开心。"],
    "birthday": ["送去生日蛋糕和贺卡，一起唱了生日歌。", "生日当天上门祝寿，老人说很久没这么热闹了。"],
}
FOLLOW_UPS = [
    "联系社区医生上门测血压",
    "帮助申请居家养老服务补贴",
    "安排志愿者每周陪同散步",
    "协调物业修理楼道灯",
    "下个月再电话问候一次",
]
PLANS = [
    "每月上门走访一次，节日慰问；联系家庭医生每季度体检；组织生活由支部上门送学。",
    "每两周电话问候，每月上门一次；协助办理就医报销；重大节日由中心领导走访。",
    "安排结对志愿者每周探望；订阅老年报刊；行动不便时上门讲党课。",
]
PARTY_TOPICS = [
    "学习党的创新理论",
    "重温入党誓词",
    "老党员讲传统",
    "学习身边榜样",
    "参观红色教育基地",
    "交纳党费与谈心谈话",
    "学习党章党规",
    "为社区办实事",
    "观看红色电影",
    "读书分享会",
    "廉洁文化教育",
    "年度总结与民主评议",
]
SERVICES = ["助老上门服务", "社区环境清洁", "健康义诊咨询", "防诈骗宣传", "图书室值班", "助餐点帮厨"]
SKILL_DETAILS = {
    "书画": ["擅长楷书", "国画花鸟", "硬笔书法教学"],
    "医疗": ["退休内科医生", "退休护士，会测血压血糖", "中医推拿"],
    "法律": ["退休法官", "熟悉继承与赡养纠纷"],
    "教学": ["退休中学数学老师", "小学语文教学三十年"],
    "文艺": ["京剧票友", "合唱指挥", "二胡演奏"],
    "摄影": ["风光摄影", "会拍活动照片和剪视频"],
    "信息技术": ["会教智能手机使用", "退休工程师，懂电脑维修"],
    "心理咨询": ["国家二级心理咨询师"],
    "宣讲": ["老党员宣讲团成员", "红色故事讲解员"],
    "体育健身": ["太极拳教练", "健步走领队"],
    "手工": ["剪纸", "编织"],
    "家政": ["家常菜烹饪", "收纳整理"],
}
NEEDS = [  # (title, domain, requester, place)
    ("为独居老人测量血压", "医疗", "幸福里社区居委会", "幸福里 3 号楼"),
    ("春联义写进社区", "书画", "幸福里社区居委会", "社区广场"),
    ("教老人用手机挂号", "信息技术", "街道卫生服务中心", "中心电脑室"),
    ("赡养纠纷法律咨询", "法律", "王阿姨（独居）", "中心接待室"),
    ("小学生课后作业辅导", "教学", "东城小学", "东城小学图书馆"),
    ("重阳节文艺演出", "文艺", "街道文化站", "街道礼堂"),
    ("社区活动拍照", "摄影", "幸福里社区居委会", "社区广场"),
    ("老年人心理疏导讲座", "心理咨询", "街道卫生服务中心", "中心多功能厅"),
    ("红色故事进校园", "宣讲", "东城小学", "东城小学礼堂"),
    ("太极拳晨练带队", "体育健身", "幸福里社区居委会", "滨河公园"),
    ("为空巢老人整理房间", "家政", "李大爷家属", "幸福里 7 号楼"),
    ("剪纸兴趣课", "手工", "街道文化站", "中心活动室"),
]


class DemoError(Exception):
    """The demo cannot be made on a site (the message says why and what to do)."""


@dataclass
class Summary:
    """What the demo made on one site."""

    site: str
    members_made: int = 0
    situations: int = 0
    visits: int = 0
    follow_ups_open: int = 0
    organisations: list[str] = field(default_factory=list)
    meetings: int = 0
    upcoming: int = 0
    signins: int = 0
    hours: int = 0  # volunteer points facts with hours
    skills: int = 0
    needs: dict[str, int] = field(default_factory=dict)
    lists: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.site}:"]
        if self.members_made:
            out.append(f"  members: {self.members_made} made (pushed as member facts)")
        out.append(
            f"  care: {self.situations} situations, {self.visits} visits and calls"
            f" ({self.follow_ups_open} follow-ups open)"
        )
        out.append("  lists: " + ", ".join(f"{lists.LISTS[k]} {d} due/{o} overdue" for k, (d, o) in self.lists.items()))
        out.append(f"  organisations: {'、'.join(self.organisations)}")
        out.append(f"  activities: {self.meetings} held, {self.upcoming} upcoming; {self.signins} sign-ins pushed")
        needs_text = ", ".join(f"{needs.STATES[k]} {n}" for k, n in self.needs.items())
        out.append(f"  volunteers: {self.skills} skills, needs {needs_text}; {self.hours} kiosk hours entries")
        out += [f"  note: {n}" for n in self.notes]
        return out


def run(codes: list[str] | None, as_of: date, seed: int) -> list[Summary]:
    """The demo on the sites of `codes` (None: every site), each refused before anything is made
    when it has demo data already (DemoError).  `as_of` no later than today."""
    if as_of > date.today():
        raise DemoError(f"--as-of {as_of} is in the future: the demo makes what has happened by then")
    sites = [admin.find_site(c, DemoError) for c in codes] if codes else admin.sites()
    if not sites:
        raise DemoError("the bureau has no site yet: add one with `site add`")
    for site in sites:
        done = Kiosk.get_or_none(Kiosk.site == site, Kiosk.name == KIOSK_NAME)
        if done is not None:
            raise DemoError(
                f"site {site.code} has demo data already (made through kiosk {done.kiosk_id}); to start afresh, "
                "run the demo on a new bureau store (move bureau.db aside, let the kiosks sync again)"
            )
        if site.prefix is None and not Member.select().where(Member.site == site).exists():
            raise DemoError(f"site {site.code} has no members and no member prefix: give it one with `site prefix`")
    return [_Site(site, as_of, random.Random(f"{seed}:{site.code}")).make() for site in sites]


class _Site:
    def __init__(self, site: Site, as_of: date, rng: random.Random):
        self.site, self.as_of, self.rng = site, as_of, rng
        self.first = as_of - timedelta(days=365)
        self.summary = Summary(site.code)
        self.kiosk = admin.add_kiosk(site.code, KIOSK_NAME)
        self.facts: list[tuple[str, dict]] = []
        # The last day a member may sign in (those the absent list is to hold), and hospital stays.
        self.last_signin: dict[str, date] = {}
        self.away: dict[str, tuple[date, date]] = {}
        first_tuesday = self.first + timedelta(days=(1 - self.first.weekday()) % 7)
        self.tuesdays = [first_tuesday + timedelta(weeks=w) for w in range(54)]

    def make(self) -> Summary:
        members = self._members()
        staff = list(
            BureauUser.select()
            .where(BureauUser.role == "staff", BureauUser.site == self.site, BureauUser.disabled == False)  # noqa: E712
            .order_by(BureauUser.username)
        )
        self.visitors = [u.full_name or u.username for u in staff] + VISITORS
        self.contacts = [u.username for u in staff]
        order = members[:]
        self.rng.shuffle(order)
        count = min(len(order), max(AT_LEAST, round(len(order) * SHARE)))
        situated, others = order[:count], order[count:]
        with write():
            self._absent(others)
            party = self._care(situated)
        with write():
            walks = self._walks()
            meetings = self._organisations(members, party)
        with write():
            self._talent(members)
        self._signins(members, walks, meetings)
        self._push()
        admin.revoke(self.kiosk.kiosk_id)
        self._report()
        return self.summary

    # --- members and facts ---------------------------------------------------------------------------

    def _members(self) -> list[Member]:
        query = Member.select().where(Member.site == self.site, Member.merged_into.is_null(), Member.active == True)  # noqa: E712
        if not query.exists():
            self._new_members()
        return list(query.order_by(Member.member_no))

    def _new_members(self) -> None:
        prefix = admin.member_prefix(self.kiosk)
        names: set[str] = set()
        for i in range(NEW_MEMBERS):
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            while name in names:
                name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            names.add(name)
            joined = self.as_of - timedelta(days=self.rng.randint(30, 900) if i else 90)
            self.facts.append(
                (
                    "member",
                    {
                        "member_no": f"{prefix}{i + 1:04d}",
                        "name": name,
                        "gender": "女" if self.rng.random() < 0.55 else "男",
                        "birth_year": self.rng.randint(1936, 1962),
                        "id_hash": f"demo-{self.site.code}-{i}".encode().hex(),
                        "phone_last4": f"{self.rng.randint(0, 9999):04d}",
                        "joined": joined.isoformat(),
                        "active": True,
                        "at": datetime.combine(joined, datetime.min.time()).replace(hour=9).isoformat(),
                    },
                )
            )
        self.summary.members_made = NEW_MEMBERS
        self.never = f"{prefix}0001"  # joined 90 days ago, never signed in: 登记后从未签到
        self.last_signin[self.never] = date.min
        self._push()

    def _fact(self, kind: str, payload: dict) -> None:
        self.facts.append((kind, payload))

    def _push(self) -> None:
        """The facts as the demo kiosk's pushes (as its sync client sends them), applied by the rules."""
        kiosk = Kiosk.get_by_id(self.kiosk.id)
        seq = kiosk.acked_seq
        for start in range(0, len(self.facts), MAX_EVENTS):
            chunk = self.facts[start : start + MAX_EVENTS]
            now_ms = int(time.time() * 1000)
            events = [
                {
                    "event_id": str(uuid7()),
                    "seq": seq + i,
                    "kind": kind,
                    "schema_v": SCHEMA_V,
                    "wall_ms": now_ms,
                    "payload": {**payload, "kiosk_id": kiosk.kiosk_id, "site": self.site.code},
                }
                for i, (kind, payload) in enumerate(chunk, 1)
            ]
            body = {
                "kiosk_id": kiosk.kiosk_id,
                "epoch": kiosk.epoch,
                "first_seq": seq + 1,
                "last_seq": seq + len(events),
                "client_version": "demo",
                "events": events,
                "sent_ms": now_ms,
            }
            batch = ingest.parse_batch(json.dumps(body, ensure_ascii=False).encode(), kiosk.kiosk_id)
            reply = ingest.push(kiosk.id, batch, time.time())
            if reply["rejected"]:
                raise DemoError(f"the bureau refused demo facts: {reply['rejected'][0]}")
            seq += len(events)
        self.facts = []
        catch_up()

    # --- care ----------------------------------------------------------------------------------------

    def _absent(self, others: list[Member]) -> None:
        """Members the absent list is to hold: two gone a month (due), three gone two to four months
        (overdue), chosen among those with no sign-in since (the site's kiosks may have some)."""
        seen = visits.last_signins([m.member_no for m in others])
        due_from, late_from = self.as_of - timedelta(days=40), self.as_of - timedelta(days=120)
        fit = [
            m
            for m in others
            if m.member_no in self.last_signin or seen.get(m.member_no, datetime.min).date() < late_from
        ]
        picks = [m for m in fit if m.member_no not in self.last_signin][:5]
        for i, m in enumerate(picks):
            low, high = (
                (due_from, self.as_of - timedelta(days=30)) if i < 2 else (late_from, self.as_of - timedelta(days=60))
            )
            self.last_signin[m.member_no] = self.rng.choice([d for d in self.tuesdays if low <= d <= high])
        answered = picks[2:3]  # one of the overdue is called after they went missing: off the list
        for m in answered:
            day = self.last_signin[m.member_no] + timedelta(days=30)
            self._visit(m, "call", day, "absent", "电话问候，老人说最近腰疼，在家休养，好了就来。")
        if len(picks) < 5:
            self.summary.notes.append(
                f"未来签到: only {len(picks)} members without a recent sign-in to leave off the demo's sign-ins"
            )

    def _care(self, situated: list[Member]) -> set[str]:
        """Situations and a year of visits; the party members' numbers."""
        a, rng = self.as_of, self.rng
        windows = [f for y in (a.year - 1, a.year) for f in festivals.of_year(y) if f.day >= self.first]
        windows += [f for f in festivals.of_year(a.year + 1) if f.opens <= a]
        quarter = lists.quarter_start(a)
        party: set[str] = set()
        for i, m in enumerate(situated):
            retired = "离休" if i in (0, 2, 9) or rng.random() < 0.15 else ("退休" if rng.random() < 0.9 else "")
            born = date(a.year - rng.randint(66, 88), rng.randint(1, 12), rng.randint(1, 28))
            alone, hardship = rng.random() < 0.2, tuple(h for h in HARDSHIPS if rng.random() < 0.05)
            quiet = a - timedelta(days=rng.randint(5, 40))  # no visit after this day (the plan's own apart)
            in_hospital = back = admitted = None
            if i == 0:  # turns 90 today: 90岁及以上 and 本月生日
                born = date(a.year - 90, a.month, min(a.day, 28) if a.month == 2 else a.day)
                quiet = quarter
            elif i == 1:  # born on 29 February, lives alone
                born, alone = date(1944, 2, 29), True
            elif i == 2:  # in hospital
                in_hospital, hardship, quiet = a - timedelta(days=9), ("重病",), a - timedelta(days=9)
            elif i in (3, 4):  # back from hospital last week (due), and 12 days ago (overdue)
                back = a - timedelta(days=5 if i == 3 else 12)
                admitted, quiet = back - timedelta(days=14), back - timedelta(days=14)
            elif i in (6, 7, 8):  # a birthday this month: passed long ago, still to come, visited
                day = {6: 1, 7: min(a.day + 5, 28), 8: max(a.day - 3, 1)}[i]
                born = date(a.year - rng.randint(70, 85), a.month, day)
                quiet = a.replace(day=1) if i != 8 else quiet
            elif i in (9, 10):  # over 90: not visited this quarter, and visited
                born = date(a.year - (93 if i == 9 else 91), rng.randint(1, 12), rng.randint(1, 28))
                quiet = quarter if i == 9 else quiet
            elif i in (11, 12, 13, 14):  # 四必访: called 95 days ago, never, 130 days ago, lately
                alone = True
                hardship = ("空巢",) if i == 12 else (("失能",) if i == 13 else hardship)
                quiet = {11: a - timedelta(days=95), 12: date.min, 13: a - timedelta(days=130), 14: quiet}[i]
            if retired == "离休" and i not in (0, 1, 6, 7, 8, 9, 10):  # 离休: at work before October 1949
                born = born.replace(year=min(born.year, 1934 - rng.randint(0, 6)))
            is_party = i in (0, 2, 9) or rng.random() < 0.45
            if is_party:
                party.add(m.member_no)
            draft = situation.Draft(
                retired=retired,
                party_member=is_party,
                birth_date=born,
                lives_alone=alone,
                hardship=hardship,
                phone=f"138-0000-{rng.randint(0, 9999):04d}",
                contact_user=self.contacts[i % len(self.contacts)] if self.contacts else "",
                contact_name="" if self.contacts else VISITORS[i % len(VISITORS)].split()[-1],
                emergency_name=(m.name[:1] or rng.choice(SURNAMES)) + rng.choice(GIVEN),
                emergency_relation=rng.choice(RELATIONS),
                emergency_phone=f"138-0000-{rng.randint(0, 9999):04d}",
                plan=rng.choice(PLANS) if retired == "离休" else "",
                in_hospital_since=in_hospital or admitted,
            )
            saved_at = datetime.combine(self.first + timedelta(days=rng.randint(0, 60)), datetime.min.time())
            situation.save(m, draft, USER, a, saved_at)
            if in_hospital or admitted:
                self.away[m.member_no] = (in_hospital or admitted, back or a)
            if admitted is not None:  # the stay recorded as it happened: in, then out
                situation.save(m, replace(draft, in_hospital_since=None, back_from_hospital=back), USER, a)
                self._visit(m, "hospital", admitted + timedelta(days=3), "", rng.choice(OUTCOMES["hospital"]))
            if in_hospital is not None:
                self._visit(m, "hospital", in_hospital + timedelta(days=3), "", rng.choice(OUTCOMES["hospital"]))
            if i == 11:
                self._visit(m, "call", quiet, "alone", rng.choice(OUTCOMES["call"]))
                quiet -= timedelta(days=30)
            if i == 8:
                self._visit(m, "visit", born.replace(year=a.year), "birthday", rng.choice(OUTCOMES["birthday"]))
            if i == 10:
                self._visit(m, "visit", max(quarter, a - timedelta(days=3)), "ninety", rng.choice(OUTCOMES["visit"]))
            self._year_of_visits(m, born, alone or bool(hardship), retired == "离休" or is_party, quiet, windows)
            self.summary.situations += 1
        return party

    def _year_of_visits(self, m: Member, born: date, alone: bool, festive: bool, quiet: date, windows: list) -> None:
        """Visits and calls every month or three until `quiet`: at a festival within its window, in
        the birthday month for the birthday."""
        rng = self.rng
        day = self.first + timedelta(days=rng.randint(0, 50))
        while day < quiet and day <= self.as_of:
            festival = next((f for f in windows if f.opens <= day <= f.day), None)
            if festival is not None and festive:
                kind, reason = "visit", "festival"
            elif day.month == born.month:
                kind, reason = "visit", "birthday"
            else:
                kind = "visit" if rng.random() < 0.55 else "call"
                reason = "alone" if alone and rng.random() < 0.6 else ""
            self._visit(m, kind, day, reason, rng.choice(OUTCOMES[reason if reason in OUTCOMES else kind]))
            day += timedelta(days=rng.randint(30, 95))

    def _visit(self, m: Member, kind: str, day: date, reason: str, outcome: str) -> None:
        if day > self.as_of or day < self.first:
            return
        follow = self.rng.choice(FOLLOW_UPS) if self.rng.random() < 0.2 else ""
        entry = visits.Entry(kind, day, self.rng.choice(self.visitors), reason, outcome, follow)
        made = visits.record(m, entry, USER, self.as_of)
        self.summary.visits += 1
        if follow:
            done = day + timedelta(days=self.rng.randint(3, 20))
            if done <= self.as_of and self.rng.random() < 0.6:
                visits.follow_up_done(m, made.id, USER, done)
            else:
                self.summary.follow_ups_open += 1

    # --- organisations and their activities ----------------------------------------------------------

    def _dates(self, day_of_month: int, months_before: int = 12) -> Iterator[date]:
        """That day of each month from a year before as_of to the next one after it."""
        y, mo = self.first.year, self.first.month
        while True:
            day = date(y, mo, day_of_month)
            if day > self.as_of:
                yield day
                return
            if day >= self.first and day != self.as_of:
                yield day
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)

    def _activity(self, title: str, day: date, hour: int, category: str, place: str, org=None, length=2) -> tuple:
        start = datetime.combine(day, datetime.min.time()).replace(hour=hour)
        draft = activities.Draft(
            title=title,
            start=start,
            end=start + timedelta(hours=length),
            category=category,
            place=place,
            organisation_id=org.id if org is not None else None,
        )
        made = activities.create(draft, [self.site], USER)[0]
        if day > self.as_of:
            self.summary.upcoming += 1
        else:
            self.summary.meetings += 1
        return made, org

    def _walks(self) -> list:
        """The site's weekly 健步行 (no organisation's): what most members sign in to."""
        made = []
        for day in self.tuesdays:
            if day != self.as_of and day <= self.as_of + timedelta(days=7):
                made.append(self._activity("滨河健步行", day, 8, "walk", "滨河公园东门"))
        return made

    def _organisations(self, members: list[Member], party: set[str]) -> list:
        rng, a = self.rng, self.as_of
        numbers = [m.member_no for m in members]
        meetings = []
        # A party branch whose three-year term ends in 60 days: 换届.
        start = a - timedelta(days=3 * 365 - 60)
        branch = orgs.create(
            "branch", self.site, orgs.Fields("第一党支部", start, start + timedelta(days=3 * 365)), USER
        )
        pool = sorted(party) + [n for n in rng.sample(numbers, len(numbers)) if n not in party]
        self._roster(branch, pool[: min(len(pool), 16)], ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"], start)
        for day in self._dates(15):
            topic = PARTY_TOPICS[(day.month - 1) % len(PARTY_TOPICS)]
            meetings.append(
                self._activity(f"{day.month}月主题党日：{topic}", day, 9, "party_day", "党员活动室", branch)
            )
            if day.month % 3 == 0:
                meetings.append(
                    self._activity(
                        f"第{day.month // 3}季度组织生活会",
                        day + timedelta(days=10),
                        14,
                        "report",
                        "党员活动室",
                        branch,
                    )
                )
        # A class's temporary branch (支部建在班级上).
        course = self._course()
        if course is not None:
            temp = orgs.create(
                "temp_branch", self.site, orgs.Fields(f"{course.title}班临时党支部"[:40], course=course), USER
            )
            enrolled = [p.enrollment.member_no for p in classes.roster(course) if p.enrollment.member_no in numbers]
            crew = (enrolled + [n for n in pool if n not in enrolled])[:8]
            term_start = temp.term_start or course.term.start
            self._roster(temp, crew, ["书记", "组织委员"], min(term_start, a))
            days = [d for d in self._dates(20) if temp.term_start <= d <= temp.term_end]
            last = temp.term_end - timedelta(days=3)  # before the class ends, when its next 20th is after
            if a < last and not any(d > a for d in days):
                days.append(last)
            for day in days:
                meetings.append(
                    self._activity(f"{temp.name}主题党日", day, 10, "party_day", course.room or "教室", temp)
                )
            if not any(d > a for d in days):
                self.summary.notes.append(f"临时党支部: {course.title}'s term has ended, so it has no upcoming meeting")
        else:
            self.summary.notes.append("临时党支部: the site has no course, so none was made")
        # A volunteer team (one member left three months ago) and a club.
        team = orgs.create(
            "team", self.site, orgs.Fields("银龄志愿服务队", a - timedelta(days=700), a + timedelta(days=400)), USER
        )
        crew = rng.sample(numbers, min(len(numbers), 14))
        self._roster(team, crew, ["队长", "副队长"], a - timedelta(days=700))
        rosters.leave(team, crew[-1], a - timedelta(days=90), USER, "搬去子女家住")
        for day in self._dates(5):
            for d in (day, day + timedelta(days=15)):
                if d != a and (d <= a or d == day):
                    title = SERVICES[(d.month + d.day) % len(SERVICES)]
                    meetings.append(self._activity(f"志愿服务：{title}", d, 9, "volunteer", "中心门口集合", team))
        club = orgs.create("club", self.site, orgs.Fields("夕阳红书画协会"), USER)
        self._roster(club, rng.sample(numbers, min(len(numbers), 12)), ["会长", "秘书长"], a - timedelta(days=500))
        for day in self._dates(8):
            meetings.append(self._activity("书画交流会", day, 14, "performance", "书画室", club))
        self.summary.organisations = [o.name for o in (branch, *([temp] if course else []), team, club)]
        return meetings

    def _course(self) -> Course | None:
        query = Course.select().join(Term).where(Course.site == self.site, Course.withdrawn_at.is_null())
        return query.order_by(Term.end.desc(), Course.id).first()

    def _roster(self, org, numbers: list[str], offices: list[str], since: date) -> None:
        for i, no in enumerate(numbers):
            role = offices[i] if i < len(offices) else orgs.plain(org.kind)
            joined = (
                since
                if i < len(offices) or self.rng.random() < 0.7
                else since + timedelta(days=self.rng.randint(30, 300))
            )
            rosters.join(org, no, role, min(joined, self.as_of), USER)

    # --- sign-ins and hours --------------------------------------------------------------------------

    def _signins(self, members: list[Member], walks: list, meetings: list) -> None:
        """Sign-ins at the walks and the organisations' meetings, as the kiosk pushes them; volunteers'
        hours at the team's services, as staff enter them at the kiosk."""
        rng = self.rng
        numbers = [m.member_no for m in members]
        rule = _volunteer_rule()
        regular = [n for n in numbers if n not in self.last_signin]
        for activity, org in walks + meetings:
            day = activity.start.date()
            if day >= self.as_of:
                continue
            if org is None:
                likely = 1.0 if day >= self.as_of - timedelta(days=14) else 0.45  # everyone came lately
                came = [n for n in regular if rng.random() < likely]
                came += [n for n, last in self.last_signin.items() if last == day]
                came += [n for n, last in self.last_signin.items() if day < last and rng.random() < 0.4]
            else:
                roster = rosters.members_of(org, day)
                came = [n for n in sorted(roster) if rng.random() < 0.8]
                came += rng.sample(numbers, min(2, len(numbers)))  # guests: someone of another branch, a friend
            for n in dict.fromkeys(came):
                if not self._may_sign(n, day):
                    continue
                at = activity.start - timedelta(minutes=rng.randint(1, 15))
                self._fact(
                    "signin",
                    {
                        "member_no": n,
                        "kind": "activity",
                        "title": activity.title,
                        "start": activity.start.isoformat(),
                        "at": at.isoformat(),
                        "method": rng.choice(("qr", "idcard", "qr")),
                    },
                )
                self.summary.signins += 1
                if org is not None and org.kind == "team" and n in roster:
                    hours = rng.choice((1.5, 2.0, 2.0, 2.5))
                    self._fact(
                        "points",
                        {
                            "member_no": n,
                            "amount": service_points(round(hours * 60), rule),
                            "kind": "volunteer",
                            "rule": "volunteer_hour",
                            "reason": activity.title,
                            "at": activity.end.isoformat(),
                            "hours": hours,
                        },
                    )
                    self.summary.hours += 1

    def _may_sign(self, member_no: str, day: date) -> bool:
        last = self.last_signin.get(member_no)
        if last is not None and day > last:
            return False
        away = self.away.get(member_no)
        return away is None or not away[0] <= day <= away[1]

    # --- talent pool and needs -----------------------------------------------------------------------

    def _talent(self, members: list[Member]) -> None:
        rng, a = self.rng, self.as_of
        domains = {d.name: d for d in skills.domains()}
        chosen = rng.sample(members, min(len(members), max(6, round(len(members) * SKILLED))))
        names = [n for n in SKILL_DETAILS if n in domains] or list(domains)
        held: set[str] = set()
        for i, m in enumerate(chosen):
            for name in sorted({names[i % len(names)], *(rng.sample(names, 1) if rng.random() < 0.3 else [])}):
                held.add(name)
                detail = rng.choice(SKILL_DETAILS.get(name, [f"擅长{name}"]))
                skills.set_skill(m, domains[name], detail, USER)
                self.summary.skills += 1
        offered = [(t, d, r, p) for t, d, r, p in NEEDS if d in held]
        rng.shuffle(offered)
        # (days from as_of, fate): done over the year, one cancelled, open and assigned ahead.
        plan = [(-300, "done"), (-220, "done"), (-150, "done"), (-90, "cancelled"), (-60, "done"), (-20, "done")]
        plan += [(6, "assigned"), (9, "open_offered"), (12, "open"), (15, "assigned")]
        for (title, domain, requester, place), (days, fate) in zip(offered * len(plan), plan):
            start = datetime.combine(a + timedelta(days=days), datetime.min.time()).replace(hour=9)
            wanted = rng.choice((1, 1, 2))
            draft = needs.Draft(title, domains[domain], requester, place, start, start + timedelta(hours=2), wanted)
            need = needs.create(self.site, draft, USER)
            if fate == "cancelled":
                needs.cancel(need, "对方另有安排，需求取消", USER)
                continue
            if fate == "open":
                continue
            found, _ = needs.matches(need, [self.site.id])
            if not found:
                continue
            chosen_ = found[: wanted + 1]
            needs.dispatch(need, chosen_, USER)
            if fate == "open_offered":
                continue
            for j, match in enumerate(chosen_):
                needs.answer(need, match.member.member_no, j < wanted, USER)
            if fate == "done":
                need = Need.get_by_id(need.id)
                taken = [t for t, _ in needs.takers(need) if t.status == "accepted"]
                if taken:
                    needs.complete(need, {t.member_no: rng.choice((90, 120, 150)) for t in taken}, USER)
        for state in needs.STATES:
            self.summary.needs[state] = Need.select().where(Need.site == self.site, Need.status == state).count()

    def _report(self) -> None:
        a = self.as_of
        self.summary.lists = lists.site_counts(Site.get_by_id(self.site.id), a)
        if not festivals.current(a):
            self.summary.notes.append(f"节日走访: {a} is in no festival's window (元旦, 春节, 重阳: 30 days before)")
        if a.day <= lists.OVERDUE_DAYS + 1:
            self.summary.notes.append(f"本月生日: none overdue before the {lists.OVERDUE_DAYS + 2}th of a month")
        if (a - lists.quarter_start(a)).days <= lists.OVERDUE_DAYS:
            self.summary.notes.append("90岁及以上: none overdue in a quarter's first two weeks")


def _volunteer_rule() -> dict:
    """The bureau's volunteer rule as its kiosks hold it (the "rules" stream), else the default."""
    row = streams.current("rules", "volunteer")
    data = streams.data(row) if row is not None else None
    return data if isinstance(data, dict) else DEFAULT_RULES["volunteer"]
