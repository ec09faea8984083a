# Strony Lethe po polsku. Czego tu brakuje, pojawia się po angielsku (locales/en.ftl).

## Ramka każdej strony
skip-to-content = Przejdź do treści
tagline = Sekrety czytane raz, a potem zapominane
nav-label = Konto
nav-dashboard = Pulpit
nav-teams = Zespoły
nav-audit = Dziennik audytu
nav-admin = Konta
nav-sign-in = Zaloguj się
nav-sign-out = Wyloguj się
footer-promise = Linki działają tylko raz. Treść jest szyfrowana i usuwana po wyświetleniu lub po wygaśnięciu.
language-label = Język
language-apply = Zmień

## Za ile
time-now = teraz
time-in-minutes = { $n ->
    [one] za { $n } minutę
    [few] za { $n } minuty
   *[other] za { $n } minut
}
time-in-hours = { $n ->
    [one] za { $n } godzinę
    [few] za { $n } godziny
   *[other] za { $n } godzin
}
time-in-days = { $n ->
    [one] za { $n } dzień
   *[other] za { $n } dni
}

## Strona odbiorcy, dopóki sekret czeka
waiting-title = Czeka na Ciebie sekret
waiting-lead-html = Można go wyświetlić <strong>tylko raz</strong>. Potem zostaje zniszczony, dla Ciebie i dla wszystkich innych.
waiting-expires-html = Jeśli nikt go wcześniej nie wyświetli, wygaśnie { $from_now }, { $at }.
waiting-e2e-noscript = Ten sekret został zaszyfrowany w przeglądarce nadawcy. Włącz JavaScript, aby go odszyfrować; do tego czasu nic nie zostaje zużyte.
waiting-sign-in-note = Nadawca pozwala go otworzyć tylko zalogowanym osobom. Najpierw się zaloguj: wrócisz tutaj, a nic nie zostanie zużyte, dopóki go nie wyświetlisz.
waiting-sign-in = Zaloguj się, aby wyświetlić
waiting-passphrase = Hasło
waiting-passphrase-help = Nadawca powinien był przekazać Ci je osobnym kanałem.
waiting-view = Pokaż sekret

## Wyświetlony sekret
revealed-title = Twój sekret
revealed-content = Treść sekretu
revealed-copy = Kopiuj sekret
revealed-warning = Ten sekret został zniszczony na serwerze. Nie da się go wyświetlić ponownie: skopiuj go teraz.

## Link, który nie otwiera już sekretu
ended-viewed-title = Ten sekret został już wyświetlony
ended-viewed = Został wyświetlony raz, a potem zniszczony. Jeśli to nie Ty, ktoś inny otworzył link wcześniej: powiedz o tym nadawcy.
ended-viewed-when = Wyświetlono
ended-burned-title = Ten sekret został zniszczony
ended-burned = Został zniszczony, zanim ktokolwiek go wyświetlił: przez nadawcę albo po zbyt wielu błędnych hasłach.
ended-burned-when = Zniszczono
ended-expired-title = Ten sekret wygasł
ended-expired = Jego czas minął, zanim ktokolwiek go wyświetlił, i został usunięty.
ended-expired-when = Wygasł
ended-waiting-title = Ten sekret wciąż czeka
ended-unknown-title = Ten sekret nie istnieje
ended-unknown = Link mógł zostać źle przepisany albo jest niepełny, lub sekret dawno się zakończył.
ended-signin-title = Zaloguj się, aby wyświetlić ten sekret
ended-signin = Nadawca zażyczył sobie, by otwierały go tylko zalogowane osoby. Nie został zużyty.
ended-refused-title = Ten sekret jest przeznaczony dla kogoś innego
ended-refused = Ten sekret jest przeznaczony dla kogoś innego. Twoja próba została zapisana.
ended-limited-title = Zbyt wiele żądań
ended-limited = W krótkim czasie wysłano wiele żądań. Odczekaj { $wait } i spróbuj ponownie.
ended-notfound-title = Nie znaleziono strony
ended-notfound = Pod tym adresem nie ma żadnej strony. Sprawdź link albo utwórz sekret na stronie głównej.
ended-error-title = Coś poszło nie tak
ended-share-own = Udostępnij własny sekret

## Przy otwieraniu i to, co mówi skrypt strony
reveal-wrong-passphrase = To hasło jest błędne. Sekret wciąż czeka. Pozostałe próby: { $n }.
reveal-wrong-key = Klucz w tym linku jest błędny. Sekret wciąż czeka. Pozostałe próby: { $n }.
reveal-passphrase-needed = Wpisz hasło, które przekazał Ci nadawca.
reveal-needs-js = Ten sekret został zaszyfrowany w przeglądarce nadawcy: włącz JavaScript, aby go odszyfrować. Nie został zużyty.
js-decrypting = Odszyfrowywanie…
js-decrypt-failed = Nie udało się odszyfrować sekretu w tej przeglądarce.
js-incomplete-link = Ten link jest niepełny: brakuje części po „#” albo jest uszkodzona, a bez niej sekretu nie da się odszyfrować. Nic nie zostało zużyte: poproś nadawcę o pełny link.
js-insecure-reveal = Ten sekret został zaszyfrowany w przeglądarce nadawcy, a ta strona nie jest serwowana przez https, więc Twoja przeglądarka nie może go tu odszyfrować. Nic nie zostało zużyte: otwórz link przez https albo poproś nadawcę o ponowne udostępnienie.
js-copied = Skopiowano do schowka.
js-select-to-copy = Zaznaczono: naciśnij Ctrl+C (⌘C), aby skopiować.
