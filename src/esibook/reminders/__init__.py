"""reminders (nhắc việc): what a person should act on soon, computed each day from the data (a card ending, a
voluntary SI payment due, months an employer still owes, a dossier waiting for more information), delivered in the
app and by email as the person chose, each once."""
