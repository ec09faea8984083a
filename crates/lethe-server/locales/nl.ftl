# De pagina's van Lethe in het Nederlands. Wat hier ontbreekt, verschijnt in het Engels (locales/en.ftl).

## Het kader van elke pagina
skip-to-content = Naar de inhoud
tagline = Geheimen die één keer worden gelezen en dan vergeten
nav-label = Account
nav-dashboard = Overzicht
nav-teams = Teams
nav-audit = Auditlogboek
nav-admin = Accounts
nav-sign-in = Inloggen
nav-sign-out = Uitloggen
footer-promise = Links werken maar één keer. De inhoud is versleuteld en wordt na het bekijken of bij het verlopen verwijderd.
language-label = Taal
language-apply = Wijzigen

## Hoe lang nog
time-now = nu
time-in-minutes = { $n ->
    [one] over { $n } minuut
   *[other] over { $n } minuten
}
time-in-hours = { $n ->
    [one] over { $n } uur
   *[other] over { $n } uur
}
time-in-days = { $n ->
    [one] over { $n } dag
   *[other] over { $n } dagen
}

## De pagina van de ontvanger, zolang het geheim wacht
waiting-title = Er wacht een geheim op u
waiting-lead-html = Het kan <strong>één keer</strong> worden bekeken. Daarna wordt het vernietigd, voor u en voor iedereen.
waiting-expires-html = Als het niet eerder wordt bekeken, verloopt het { $from_now }, op { $at }.
waiting-e2e-noscript = Dit geheim is versleuteld in de browser van de afzender. Zet JavaScript aan om het te ontsleutelen; tot dan wordt er niets verbruikt.
waiting-sign-in-note = De afzender laat alleen ingelogde personen het openen. Log eerst in: u komt hier terug, en er wordt pas iets verbruikt als u het bekijkt.
waiting-sign-in = Inloggen om te bekijken
waiting-passphrase = Wachtwoordzin
waiting-passphrase-help = De afzender heeft die u als het goed is via een andere weg gegeven.
waiting-view = Geheim bekijken

## Het getoonde geheim
revealed-title = Uw geheim
revealed-content = Inhoud van het geheim
revealed-copy = Geheim kopiëren
revealed-warning = Dit geheim is op de server vernietigd. Het kan niet nog eens worden bekeken: kopieer het nu.

## Een link die geen geheim meer opent
ended-viewed-title = Dit geheim is al bekeken
ended-viewed = Het is één keer bekeken en daarna vernietigd. Was u dat niet, dan heeft iemand anders de link eerder geopend: laat het de afzender weten.
ended-viewed-when = Bekeken
ended-burned-title = Dit geheim is vernietigd
ended-burned = Het is vernietigd voordat iemand het bekeek, door de afzender of na te veel verkeerde wachtwoordzinnen.
ended-burned-when = Vernietigd
ended-expired-title = Dit geheim is verlopen
ended-expired = De levensduur was voorbij voordat iemand het bekeek, en het is verwijderd.
ended-expired-when = Verlopen
ended-waiting-title = Dit geheim wacht nog
ended-unknown-title = Dit geheim bestaat niet
ended-unknown = Misschien is de link verkeerd overgenomen of onvolledig, of is het geheim al lang geleden beëindigd.
ended-signin-title = Log in om dit geheim te bekijken
ended-signin = De afzender wil dat alleen ingelogde personen het openen. Het is niet verbruikt.
ended-refused-title = Dit geheim is voor iemand anders bedoeld
ended-refused = Dit geheim is voor iemand anders bedoeld. Uw poging is vastgelegd.
ended-limited-title = Te veel verzoeken
ended-limited = U hebt in korte tijd veel verzoeken gedaan. Wacht { $wait } en probeer het dan opnieuw.
ended-notfound-title = Pagina niet gevonden
ended-notfound = Op dit adres staat geen pagina. Controleer de link, of maak een geheim aan op de startpagina.
ended-error-title = Er is iets misgegaan
ended-share-own = Deel zelf een geheim

## Bij het openen, en wat het script van de pagina zegt
reveal-wrong-passphrase = Die wachtwoordzin klopt niet. Het geheim is er nog. Resterende pogingen: { $n }.
reveal-wrong-key = De sleutel in deze link klopt niet. Het geheim is er nog. Resterende pogingen: { $n }.
reveal-passphrase-needed = Voer de wachtwoordzin in die u van de afzender hebt gekregen.
reveal-needs-js = Dit geheim is versleuteld in de browser van de afzender: zet JavaScript aan om het te ontsleutelen. Het is niet verbruikt.
js-decrypting = Bezig met ontsleutelen…
js-decrypt-failed = Het geheim kon in deze browser niet worden ontsleuteld.
js-incomplete-link = Deze link is onvolledig: het deel na „#” ontbreekt of is beschadigd, en zonder dat deel kan het geheim niet worden ontsleuteld. Er is niets verbruikt: vraag de afzender om de volledige link.
js-insecure-reveal = Dit geheim is versleuteld in de browser van de afzender, en deze pagina komt niet via https, dus uw browser kan het hier niet ontsleutelen. Er is niets verbruikt: open de link via https, of vraag de afzender het opnieuw te delen.
js-copied = Gekopieerd naar het klembord.
js-select-to-copy = Geselecteerd: druk op Ctrl+C (⌘C) om te kopiëren.
