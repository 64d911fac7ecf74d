"""Files the kiosk and the bureau's web page show or play: the fonts (fonts/, with their
licences) and the voice clips (voice/).  Read through importlib.resources."""
