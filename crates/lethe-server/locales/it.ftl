# Le pagine di Lethe in italiano. Ciò che manca qui compare in inglese (locales/en.ftl).

## La cornice di ogni pagina
skip-to-content = Vai al contenuto
tagline = Segreti che si leggono una volta e poi si dimenticano
nav-label = Account
nav-dashboard = Bacheca
nav-teams = Team
nav-audit = Registro di controllo
nav-admin = Account
nav-sign-in = Accedi
nav-sign-out = Esci
footer-promise = I link funzionano una sola volta. Il contenuto è cifrato e viene eliminato dopo la visualizzazione o alla scadenza.
language-label = Lingua
language-apply = Cambia

## Fra quanto
time-now = ora
time-in-minutes = { $n ->
    [one] fra { $n } minuto
   *[other] fra { $n } minuti
}
time-in-hours = { $n ->
    [one] fra { $n } ora
   *[other] fra { $n } ore
}
time-in-days = { $n ->
    [one] fra { $n } giorno
   *[other] fra { $n } giorni
}

## La pagina del destinatario, finché il segreto attende
waiting-title = Un segreto ti aspetta
waiting-lead-html = Si può visualizzare <strong>una sola volta</strong>. Dopo viene distrutto, per te e per chiunque altro.
waiting-expires-html = Se nessuno lo visualizza prima, scade { $from_now }, il { $at }.
waiting-e2e-noscript = Questo segreto è stato cifrato nel browser del mittente. Attiva JavaScript per decifrarlo; finché non lo fai non viene consumato nulla.
waiting-sign-in-note = Il mittente permette di aprirlo solo a chi ha effettuato l'accesso. Accedi prima: tornerai qui, e nulla viene consumato finché non lo visualizzi.
waiting-sign-in = Accedi per vederlo
waiting-passphrase = Passphrase
waiting-passphrase-help = Il mittente dovrebbe avertela data per un'altra via.
waiting-view = Mostra il segreto

## Il segreto rivelato
revealed-title = Il tuo segreto
revealed-content = Contenuto del segreto
revealed-copy = Copia il segreto
revealed-warning = Questo segreto è stato distrutto sul server. Non si potrà più visualizzare: copialo adesso.

## Un link che non apre più alcun segreto
ended-viewed-title = Questo segreto è già stato visualizzato
ended-viewed = È stato visualizzato una volta e poi distrutto. Se non sei stato tu, qualcun altro ha aperto il link prima di te: avvisa il mittente.
ended-viewed-when = Visualizzato
ended-burned-title = Questo segreto è stato distrutto
ended-burned = È stato distrutto prima che qualcuno lo visualizzasse, dal mittente o dopo troppe passphrase errate.
ended-burned-when = Distrutto
ended-expired-title = Questo segreto è scaduto
ended-expired = La sua durata è finita prima che qualcuno lo visualizzasse, ed è stato eliminato.
ended-expired-when = Scaduto
ended-waiting-title = Questo segreto è ancora in attesa
ended-unknown-title = Questo segreto non esiste
ended-unknown = Forse il link è stato copiato male o è incompleto, oppure il segreto è terminato da tempo.
ended-signin-title = Accedi per vedere questo segreto
ended-signin = Il mittente ha chiesto che possa aprirlo solo chi ha effettuato l'accesso. Non è stato consumato.
ended-refused-title = Questo segreto è destinato a qualcun altro
ended-refused = Questo segreto è destinato a qualcun altro. Il tuo tentativo è stato registrato.
ended-limited-title = Troppe richieste
ended-limited = Hai inviato molte richieste in poco tempo. Attendi { $wait } e riprova.
ended-notfound-title = Pagina non trovata
ended-notfound = A questo indirizzo non c'è nessuna pagina. Controlla il link, oppure crea un segreto dalla pagina iniziale.
ended-error-title = Qualcosa è andato storto
ended-share-own = Condividi un tuo segreto

## All’apertura, e ciò che dice lo script della pagina
reveal-wrong-passphrase = Questa passphrase è errata. Il segreto è ancora lì. Tentativi rimasti: { $n }.
reveal-wrong-key = La chiave di questo link è errata. Il segreto è ancora lì. Tentativi rimasti: { $n }.
reveal-passphrase-needed = Inserisci la passphrase che ti ha dato il mittente.
reveal-needs-js = Questo segreto è stato cifrato nel browser del mittente: attiva JavaScript per decifrarlo. Non è stato consumato.
js-decrypting = Decifratura in corso…
js-decrypt-failed = Non è stato possibile decifrare il segreto in questo browser.
js-incomplete-link = Questo link è incompleto: la parte dopo «#» manca o è danneggiata, e senza di essa il segreto non si può decifrare. Non è stato consumato nulla: chiedi al mittente il link completo.
js-insecure-reveal = Questo segreto è stato cifrato nel browser del mittente e questa pagina non è servita in https, quindi il tuo browser non può decifrarlo qui. Non è stato consumato nulla: apri il link in https oppure chiedi al mittente di condividerlo di nuovo.
js-copied = Copiato negli appunti.
js-select-to-copy = Selezionato: premi Ctrl+C (⌘C) per copiare.
