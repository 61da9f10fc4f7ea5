"""The e-book (sổ BHXH điện tử): assembled, signed, versioned, logged, rendered, suspended and verified."""
