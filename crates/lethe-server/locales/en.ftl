# Lethe's pages in English: the complete catalogue, and every other language's fallback.
# Messages ending in -html hold markup and are trusted as written here.

## The layout of every page
skip-to-content = Skip to content
tagline = Secrets that are read once, then forgotten
nav-label = Account
nav-dashboard = Dashboard
nav-teams = Teams
nav-audit = Audit log
nav-admin = Accounts
nav-sign-in = Sign in
nav-sign-out = Sign out
footer-promise = Links work once. Contents are encrypted and deleted after viewing or expiry.
language-label = Language
language-apply = Change

## How far off a time is
time-now = now
time-in-minutes = { $n ->
    [one] in { $n } minute
   *[other] in { $n } minutes
}
time-in-hours = { $n ->
    [one] in { $n } hour
   *[other] in { $n } hours
}
time-in-days = { $n ->
    [one] in { $n } day
   *[other] in { $n } days
}

## The recipient's page, while the secret waits
waiting-title = A secret is waiting for you
waiting-lead-html = It can be viewed <strong>once</strong>. After that it is destroyed, for you and for anyone else.
waiting-expires-html = Unless it is viewed first, it expires { $from_now }, at { $at }.
waiting-e2e-noscript = This secret was encrypted in the sender's browser. Turn on JavaScript to decrypt it; nothing is used up until you do.
waiting-sign-in-note = The sender allows only signed-in viewers to open it. Sign in first: you come back here, and nothing is used up until you view it.
waiting-sign-in = Sign in to view
waiting-passphrase = Passphrase
waiting-passphrase-help = The sender should have given it to you separately.
waiting-view = View secret

## The revealed secret
revealed-title = Your secret
revealed-content = Secret content
revealed-copy = Copy secret
revealed-warning = This secret has been destroyed on the server. It cannot be viewed again: copy it now.

## A link that no longer opens a secret
ended-viewed-title = This secret has already been viewed
ended-viewed = It was viewed once and then destroyed. If that was not you, someone else opened the link first: tell the sender.
ended-viewed-when = Viewed
ended-burned-title = This secret was burned
ended-burned = It was destroyed before anyone viewed it, by its sender or after too many wrong passphrases.
ended-burned-when = Burned
ended-expired-title = This secret has expired
ended-expired = Its lifetime ran out before anyone viewed it, and it was deleted.
ended-expired-when = Expired
ended-waiting-title = This secret is still waiting
ended-unknown-title = This secret does not exist
ended-unknown = The link may be mistyped or incomplete, or the secret ended long ago.
ended-signin-title = Sign in to view this secret
ended-signin = Its sender asked that only signed-in viewers may open it. It has not been used up.
ended-refused-title = This secret is meant for someone else
ended-refused = This secret is meant for someone else. Your attempt was recorded.
ended-limited-title = Too many requests
ended-limited = You have made many requests in a short time. Please wait { $wait } and try again.
ended-notfound-title = Page not found
ended-notfound = There is no page at this address. Check the link, or create a secret from the start page.
ended-error-title = Something went wrong
ended-share-own = Share a secret of your own

## Revealing, and what the page's script says
reveal-wrong-passphrase = That passphrase is wrong. The secret is still there. Attempts left: { $n }.
reveal-wrong-key = This link's key is wrong. The secret is still there. Attempts left: { $n }.
reveal-passphrase-needed = Enter the passphrase the sender gave you.
reveal-needs-js = This secret was encrypted in the sender's browser: turn on JavaScript to decrypt it. It has not been used up.
js-decrypting = Decrypting…
js-decrypt-failed = The secret could not be decrypted in this browser.
js-incomplete-link = This link is incomplete: the part after “#” is missing or damaged, and the secret cannot be decrypted without it. Nothing has been used up: ask the sender for the full link.
js-insecure-reveal = This secret was encrypted in the sender's browser, and this page is not served over https, so your browser cannot decrypt it here. Nothing has been used up: open the link over https, or ask the sender to share it again.
js-copied = Copied to the clipboard.
js-select-to-copy = Selected: press Ctrl+C (⌘C) to copy.
