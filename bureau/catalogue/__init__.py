"""The points catalogue (积分兑换, docs/points.md): its items, set in the console and published to
the kiosks (items.py), and the seniors' requests for them as the kiosks' facts tell (redemptions.py)."""


class CatalogueError(ValueError):
    """A change to the catalogue that cannot be made (the message says why, in Chinese)."""
