"""The seniors' screens: home, the result of a card, the choice, the self-service screens (我的积分,
近期活动, 我的课程, 大字与声音), attract and night, and the status corner."""
