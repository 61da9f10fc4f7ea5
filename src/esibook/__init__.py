"""esibook: the electronic social insurance book (sổ bảo hiểm xã hội điện tử)."""
