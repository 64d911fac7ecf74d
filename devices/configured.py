"""The kiosk's devices as its settings describe them, with simulators where a port says so.

A port of "simulator" (the demo) starts the built-in simulator on a pty under
<data_dir>/dev/ and points the real driver at it, so the demo runs exactly the driver code a
site runs.  Its cards are laid from the keyboard (screens/app.py) or a script.
"""

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk.config import SIMULATOR


@dataclass
class Devices:
    devices: list = field(default_factory=list)  # drivers for the device manager
    idcard_sim: Any = None  # devices.sim.idcard.SamSim, when simulated
    qr_sim: Any = None  # devices.sim.qr.QrSim, when simulated
    printer: Any = None  # devices.printer.Printer, when [printer] is enabled (not a reader: kiosk/printing runs it)
    printer_sim: Any = None  # devices.sim.printer.PrinterSim, when simulated

    def close_simulators(self) -> None:
        for sim in (self.idcard_sim, self.qr_sim, self.printer_sim):
            if sim is not None:
                sim.close()


def from_settings(settings: SimpleNamespace, simulate: bool = True) -> Devices:
    """The drivers the settings name; simulate=False leaves a "simulator" port as it is, started by
    nobody (the doctor's look, devices/probe.py, must not start the demo's simulators)."""
    cfg, found = settings.devices, Devices()
    sims = Path(settings.kiosk.data_dir) / "dev" if simulate else None
    if cfg.idcard.port:
        from devices.idcard import IdCardReader
        from devices.sim.idcard import SamSim

        found.idcard_sim, port = _simulated(cfg.idcard.port, SamSim, sims, "idcard")
        found.devices.append(
            IdCardReader("idcard", port, cfg.idcard.baud, cfg.idcard.poll_interval_ms / 1000, cfg.idcard.fingerprint)
        )
    if cfg.qr_serial.port:
        from devices.qrscanner import QrScanner
        from devices.sim.qr import QrSim

        found.qr_sim, port = _simulated(cfg.qr_serial.port, QrSim, sims, "qr")
        found.devices.append(QrScanner("qr", port, cfg.qr_serial.baud, cfg.qr_serial.idle_gap_ms))
    if cfg.evdev.device_name:
        from devices.evdev_scanner import EvdevScanner

        found.devices.append(EvdevScanner("scanner", cfg.evdev.device_name))
    if settings.printer.enabled:
        _printer(settings, found, sims)
    return found


def _printer(settings: SimpleNamespace, found: Devices, sims: Path | None) -> None:
    """The receipt printer; the demo's simulator writes each slip as text under <data_dir>/dev/slips/."""
    from devices.printer import Printer
    from devices.sim.printer import PrinterSim
    from kiosk.fonts import FontChain

    def simulator(path: str) -> PrinterSim:
        return PrinterSim(path, slips_dir=str(Path(path).parent / "slips"))

    found.printer_sim, port = _simulated(settings.printer.device, simulator, sims, "printer")
    display = settings.display
    fonts = FontChain(display.font, display.fallback_fonts)
    found.printer = Printer("printer", port, settings.printer.baud, fonts, display.font_bold)


def _simulated(port: str, simulator, sims: Path | None, name: str):
    """(the simulator, the port to open): a simulator started as sims/name for "simulator", else
    (None, port); sims None: none is started."""
    if port != SIMULATOR or sims is None:
        return None, port
    sims.mkdir(parents=True, exist_ok=True)
    sim = simulator(str(sims / name))
    return sim, sim.path
