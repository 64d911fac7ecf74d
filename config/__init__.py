"""The kiosk's settings files, shipped with it: default.toml (every setting, commented) and the
demo site (demo/site.toml).  Read through kiosk.resources."""
