"""pixf-mrc: MRC / CCP4 map files (electron microscopy) as a pixframework format plugin, via mrcfile."""

__version__ = "0.1.0"
