# As páginas do Lethe em português. O que faltar aqui aparece em inglês (locales/en.ftl).

## A moldura de cada página
skip-to-content = Ir para o conteúdo
tagline = Segredos lidos uma vez e depois esquecidos
nav-label = Conta
nav-dashboard = Painel
nav-teams = Equipes
nav-audit = Registro de auditoria
nav-admin = Contas
nav-sign-in = Entrar
nav-sign-out = Sair
footer-promise = Os links funcionam uma única vez. O conteúdo é criptografado e apagado depois de visto ou quando expira.
language-label = Idioma
language-apply = Mudar

## Quanto falta
time-now = agora
time-in-minutes = { $n ->
    [one] em { $n } minuto
   *[other] em { $n } minutos
}
time-in-hours = { $n ->
    [one] em { $n } hora
   *[other] em { $n } horas
}
time-in-days = { $n ->
    [one] em { $n } dia
   *[other] em { $n } dias
}

## A página do destinatário, enquanto o segredo espera
waiting-title = Um segredo está à sua espera
waiting-lead-html = Ele pode ser visto <strong>uma única vez</strong>. Depois disso é destruído, para você e para qualquer outra pessoa.
waiting-expires-html = Se não for visto antes, ele expira { $from_now }, em { $at }.
waiting-e2e-noscript = Este segredo foi criptografado no navegador do remetente. Ative o JavaScript para descriptografá-lo; nada é consumido até você fazer isso.
waiting-sign-in-note = O remetente só permite que pessoas conectadas o abram. Entre primeiro: você volta para cá, e nada é consumido até você vê-lo.
waiting-sign-in = Entrar para ver
waiting-passphrase = Frase-senha
waiting-passphrase-help = O remetente deve tê-la passado a você por outro meio.
waiting-view = Ver o segredo

## O segredo revelado
revealed-title = Seu segredo
revealed-content = Conteúdo do segredo
revealed-copy = Copiar o segredo
revealed-warning = Este segredo foi destruído no servidor. Não poderá ser visto de novo: copie-o agora.

## Um link que já não abre nenhum segredo
ended-viewed-title = Este segredo já foi visto
ended-viewed = Ele foi visto uma vez e depois destruído. Se não foi você, outra pessoa abriu o link antes: avise o remetente.
ended-viewed-when = Visto
ended-burned-title = Este segredo foi destruído
ended-burned = Foi destruído antes que alguém o visse, pelo remetente ou depois de muitas frases-senha erradas.
ended-burned-when = Destruído
ended-expired-title = Este segredo expirou
ended-expired = O prazo dele acabou antes que alguém o visse, e ele foi apagado.
ended-expired-when = Expirado
ended-waiting-title = Este segredo ainda está à espera
ended-unknown-title = Este segredo não existe
ended-unknown = Talvez o link tenha sido copiado errado ou pela metade, ou o segredo terminou há muito tempo.
ended-signin-title = Entre para ver este segredo
ended-signin = O remetente pediu que só pessoas conectadas possam abri-lo. Ele não foi consumido.
ended-refused-title = Este segredo é para outra pessoa
ended-refused = Este segredo é para outra pessoa. Sua tentativa foi registrada.
ended-limited-title = Solicitações demais
ended-limited = Você fez muitas solicitações em pouco tempo. Aguarde { $wait } e tente de novo.
ended-notfound-title = Página não encontrada
ended-notfound = Não há nenhuma página neste endereço. Confira o link ou crie um segredo na página inicial.
ended-error-title = Algo deu errado
ended-share-own = Compartilhe um segredo seu

## Ao abrir, e o que o script da página diz
reveal-wrong-passphrase = Essa frase-senha está errada. O segredo continua lá. Tentativas restantes: { $n }.
reveal-wrong-key = A chave deste link está errada. O segredo continua lá. Tentativas restantes: { $n }.
reveal-passphrase-needed = Digite a frase-senha que o remetente passou a você.
reveal-needs-js = Este segredo foi criptografado no navegador do remetente: ative o JavaScript para descriptografá-lo. Ele não foi consumido.
js-decrypting = Descriptografando…
js-decrypt-failed = Não foi possível descriptografar o segredo neste navegador.
js-incomplete-link = Este link está incompleto: a parte depois do “#” está faltando ou danificada, e sem ela o segredo não pode ser descriptografado. Nada foi consumido: peça o link completo ao remetente.
js-insecure-reveal = Este segredo foi criptografado no navegador do remetente, e esta página não é servida por https, então seu navegador não consegue descriptografá-lo aqui. Nada foi consumido: abra o link por https ou peça ao remetente que o compartilhe de novo.
js-copied = Copiado para a área de transferência.
js-select-to-copy = Selecionado: pressione Ctrl+C (⌘C) para copiar.
