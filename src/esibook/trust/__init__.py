"""Trust: keys and certificates, signing (JWS, COSE, PAdES), the trust list, status, verification."""
