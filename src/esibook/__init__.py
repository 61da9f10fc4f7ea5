"""esibook: the electronic social insurance book (sổ bảo hiểm xã hội điện tử)."""

import warnings

# pyHanko imports cryptography's DSA key type, which cryptography 47 and later marks deprecated at import. esibook
# never signs or verifies with DSA (ECDSA, Ed25519 and RSA only), and the notice would make every command's
# one-line refusal three lines on standard error.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
