from esibook.cli import main

main()
