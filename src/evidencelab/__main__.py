from evidencelab.cli import main

main()
