from chainfix.command import main

main()
