from techcheck.cli import main

main()
