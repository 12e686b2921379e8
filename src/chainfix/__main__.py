from chainfix.cli import main

main()
