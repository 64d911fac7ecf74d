"""Simulated devices that speak the real bytes over a pty: python -m devices.sim idcard|qr"""
