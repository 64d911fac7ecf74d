"""Each screen's Kivy rules: the .kv file beside its module, found in the installed package."""

from importlib.resources import files

from kivy.lang import Builder


def load(module: str) -> None:
    """Load the rules of `module` (its __name__): screens/senior/home.py has screens/senior/home.kv."""
    package, _, name = module.rpartition(".")
    Builder.load_file(str(files(package).joinpath(f"{name}.kv")))
