"""Pure computations on satellite scenes: footprints, local UTM grids, chip windows,
before/during/after labels, annotation measures and a change measure."""
