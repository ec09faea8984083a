# Las páginas de Lethe en español. Lo que falte aquí aparece en inglés (locales/en.ftl).

## El marco de cada página
skip-to-content = Saltar al contenido
tagline = Secretos que se leen una vez y luego se olvidan
nav-label = Cuenta
nav-dashboard = Panel
nav-teams = Equipos
nav-audit = Registro de auditoría
nav-admin = Cuentas
nav-sign-in = Iniciar sesión
nav-sign-out = Cerrar sesión
footer-promise = Los enlaces funcionan una sola vez. El contenido se cifra y se borra tras verlo o al caducar.
language-label = Idioma
language-apply = Cambiar

## Cuánto falta
time-now = ahora
time-in-minutes = { $n ->
    [one] dentro de { $n } minuto
   *[other] dentro de { $n } minutos
}
time-in-hours = { $n ->
    [one] dentro de { $n } hora
   *[other] dentro de { $n } horas
}
time-in-days = { $n ->
    [one] dentro de { $n } día
   *[other] dentro de { $n } días
}

## La página del destinatario, mientras el secreto espera
waiting-title = Un secreto te está esperando
waiting-lead-html = Se puede ver <strong>una sola vez</strong>. Después se destruye, para ti y para cualquier otra persona.
waiting-expires-html = Si nadie lo ve antes, caduca { $from_now }, el { $at }.
waiting-e2e-noscript = Este secreto se cifró en el navegador del remitente. Activa JavaScript para descifrarlo; no se consume nada hasta que lo hagas.
waiting-sign-in-note = El remitente solo permite abrirlo a personas con sesión iniciada. Inicia sesión primero: volverás aquí y no se consumirá nada hasta que lo veas.
waiting-sign-in = Iniciar sesión para verlo
waiting-passphrase = Frase de contraseña
waiting-passphrase-help = El remitente debería habértela dado por otro medio.
waiting-view = Ver el secreto

## El secreto revelado
revealed-title = Tu secreto
revealed-content = Contenido del secreto
revealed-copy = Copiar el secreto
revealed-warning = Este secreto se ha destruido en el servidor. No se podrá volver a ver: cópialo ahora.

## Un enlace que ya no abre ningún secreto
ended-viewed-title = Este secreto ya se ha visto
ended-viewed = Se vio una vez y luego se destruyó. Si no fuiste tú, otra persona abrió el enlace antes: avisa al remitente.
ended-viewed-when = Visto
ended-burned-title = Este secreto fue destruido
ended-burned = Se destruyó antes de que nadie lo viera, por su remitente o tras demasiadas frases de contraseña incorrectas.
ended-burned-when = Destruido
ended-expired-title = Este secreto ha caducado
ended-expired = Su tiempo de vida terminó antes de que nadie lo viera, y se borró.
ended-expired-when = Caducado
ended-waiting-title = Este secreto sigue esperando
ended-unknown-title = Este secreto no existe
ended-unknown = Puede que el enlace esté mal copiado o incompleto, o que el secreto terminara hace tiempo.
ended-signin-title = Inicia sesión para ver este secreto
ended-signin = Su remitente pidió que solo personas con sesión iniciada puedan abrirlo. No se ha consumido.
ended-refused-title = Este secreto es para otra persona
ended-refused = Este secreto es para otra persona. Tu intento ha quedado registrado.
ended-limited-title = Demasiadas solicitudes
ended-limited = Has hecho muchas solicitudes en poco tiempo. Espera { $wait } y vuelve a intentarlo.
ended-notfound-title = Página no encontrada
ended-notfound = No hay ninguna página en esta dirección. Revisa el enlace o crea un secreto desde la página de inicio.
ended-error-title = Algo ha salido mal
ended-share-own = Comparte un secreto propio

## Al abrirlo, y lo que dice el script de la página
reveal-wrong-passphrase = Esa frase de contraseña no es correcta. El secreto sigue ahí. Intentos restantes: { $n }.
reveal-wrong-key = La clave de este enlace no es correcta. El secreto sigue ahí. Intentos restantes: { $n }.
reveal-passphrase-needed = Escribe la frase de contraseña que te dio el remitente.
reveal-needs-js = Este secreto se cifró en el navegador del remitente: activa JavaScript para descifrarlo. No se ha consumido.
js-decrypting = Descifrando…
js-decrypt-failed = No se pudo descifrar el secreto en este navegador.
js-incomplete-link = Este enlace está incompleto: falta la parte después de «#» o está dañada, y sin ella no se puede descifrar el secreto. No se ha consumido nada: pide al remitente el enlace completo.
js-insecure-reveal = Este secreto se cifró en el navegador del remitente y esta página no se sirve por https, así que tu navegador no puede descifrarlo aquí. No se ha consumido nada: abre el enlace por https o pide al remitente que lo comparta de nuevo.
js-copied = Copiado al portapapeles.
js-select-to-copy = Seleccionado: pulsa Ctrl+C (⌘C) para copiar.
