# Lethes Seiten auf Deutsch. Was hier fehlt, erscheint auf Englisch (locales/en.ftl).

## Der Rahmen jeder Seite
skip-to-content = Zum Inhalt springen
tagline = Geheimnisse, die einmal gelesen und dann vergessen werden
nav-label = Konto
nav-dashboard = Übersicht
nav-teams = Teams
nav-audit = Protokoll
nav-admin = Konten
nav-sign-in = Anmelden
nav-sign-out = Abmelden
footer-promise = Links funktionieren nur einmal. Inhalte werden verschlüsselt und nach dem Ansehen oder Ablauf gelöscht.
language-label = Sprache
language-apply = Wechseln

## Wie weit ein Zeitpunkt entfernt ist
time-now = jetzt
time-in-minutes = { $n ->
    [one] in { $n } Minute
   *[other] in { $n } Minuten
}
time-in-hours = { $n ->
    [one] in { $n } Stunde
   *[other] in { $n } Stunden
}
time-in-days = { $n ->
    [one] in { $n } Tag
   *[other] in { $n } Tagen
}

## Die Seite des Empfängers, solange das Geheimnis wartet
waiting-title = Ein Geheimnis wartet auf Sie
waiting-lead-html = Es lässt sich <strong>ein einziges Mal</strong> ansehen. Danach ist es vernichtet, für Sie und für alle anderen.
waiting-expires-html = Wird es nicht vorher angesehen, verfällt es { $from_now }, am { $at }.
waiting-e2e-noscript = Dieses Geheimnis wurde im Browser des Absenders verschlüsselt. Schalten Sie JavaScript ein, um es zu entschlüsseln; bis dahin wird nichts verbraucht.
waiting-sign-in-note = Der Absender lässt nur angemeldete Personen das Geheimnis öffnen. Melden Sie sich zuerst an: Sie kommen hierher zurück, und verbraucht wird erst etwas, wenn Sie es ansehen.
waiting-sign-in = Zum Ansehen anmelden
waiting-passphrase = Passphrase
waiting-passphrase-help = Der Absender sollte sie Ihnen auf einem anderen Weg gegeben haben.
waiting-view = Geheimnis ansehen

## Das geöffnete Geheimnis
revealed-title = Ihr Geheimnis
revealed-content = Inhalt des Geheimnisses
revealed-copy = Geheimnis kopieren
revealed-warning = Dieses Geheimnis ist auf dem Server vernichtet. Es lässt sich nicht noch einmal ansehen: Kopieren Sie es jetzt.

## Ein Link, der kein Geheimnis mehr öffnet
ended-viewed-title = Dieses Geheimnis wurde bereits angesehen
ended-viewed = Es wurde einmal angesehen und dann vernichtet. Waren Sie das nicht, hat jemand anderes den Link zuerst geöffnet: Sagen Sie es dem Absender.
ended-viewed-when = Angesehen
ended-burned-title = Dieses Geheimnis wurde vernichtet
ended-burned = Es wurde vernichtet, bevor jemand es angesehen hat: vom Absender oder nach zu vielen falschen Passphrasen.
ended-burned-when = Vernichtet
ended-expired-title = Dieses Geheimnis ist abgelaufen
ended-expired = Seine Lebensdauer war abgelaufen, bevor jemand es angesehen hat, und es wurde gelöscht.
ended-expired-when = Abgelaufen
ended-waiting-title = Dieses Geheimnis wartet noch
ended-unknown-title = Dieses Geheimnis gibt es nicht
ended-unknown = Der Link ist vielleicht falsch abgeschrieben oder unvollständig, oder das Geheimnis ist schon lange vorbei.
ended-signin-title = Melden Sie sich an, um dieses Geheimnis anzusehen
ended-signin = Der Absender möchte, dass nur angemeldete Personen es öffnen. Es wurde nicht verbraucht.
ended-refused-title = Dieses Geheimnis ist für jemand anderen bestimmt
ended-refused = Dieses Geheimnis ist für jemand anderen bestimmt. Ihr Versuch wurde festgehalten.
ended-limited-title = Zu viele Anfragen
ended-limited = Sie haben in kurzer Zeit viele Anfragen gestellt. Bitte warten Sie { $wait } und versuchen Sie es dann erneut.
ended-notfound-title = Seite nicht gefunden
ended-notfound = Unter dieser Adresse gibt es keine Seite. Prüfen Sie den Link, oder erstellen Sie ein Geheimnis auf der Startseite.
ended-error-title = Etwas ist schiefgegangen
ended-share-own = Selbst ein Geheimnis teilen

## Beim Öffnen, und was das Skript der Seite sagt
reveal-wrong-passphrase = Diese Passphrase ist falsch. Das Geheimnis ist noch da. Verbleibende Versuche: { $n }.
reveal-wrong-key = Der Schlüssel in diesem Link ist falsch. Das Geheimnis ist noch da. Verbleibende Versuche: { $n }.
reveal-passphrase-needed = Geben Sie die Passphrase ein, die Ihnen der Absender gegeben hat.
reveal-needs-js = Dieses Geheimnis wurde im Browser des Absenders verschlüsselt: Schalten Sie JavaScript ein, um es zu entschlüsseln. Es wurde nicht verbraucht.
js-decrypting = Wird entschlüsselt…
js-decrypt-failed = Das Geheimnis ließ sich in diesem Browser nicht entschlüsseln.
js-incomplete-link = Dieser Link ist unvollständig: Der Teil nach „#“ fehlt oder ist beschädigt, und ohne ihn lässt sich das Geheimnis nicht entschlüsseln. Es wurde nichts verbraucht: Bitten Sie den Absender um den vollständigen Link.
js-insecure-reveal = Dieses Geheimnis wurde im Browser des Absenders verschlüsselt, und diese Seite kommt nicht über https, darum kann Ihr Browser es hier nicht entschlüsseln. Es wurde nichts verbraucht: Öffnen Sie den Link über https, oder bitten Sie den Absender, es erneut zu teilen.
js-copied = In die Zwischenablage kopiert.
js-select-to-copy = Markiert: Drücken Sie Strg+C (⌘C), um zu kopieren.
