from tractatus.cli.main import main

main()
