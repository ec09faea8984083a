# Les pages de Lethe en français. Ce qui manque ici s'affiche en anglais (locales/en.ftl).

## Le cadre de chaque page
skip-to-content = Aller au contenu
tagline = Des secrets lus une fois, puis oubliés
nav-label = Compte
nav-dashboard = Tableau de bord
nav-teams = Équipes
nav-audit = Journal d'audit
nav-admin = Comptes
nav-sign-in = Se connecter
nav-sign-out = Se déconnecter
footer-promise = Les liens ne fonctionnent qu'une fois. Le contenu est chiffré et supprimé après consultation ou expiration.
language-label = Langue
language-apply = Changer

## Dans combien de temps
time-now = maintenant
time-in-minutes = { $n ->
    [one] dans { $n } minute
   *[other] dans { $n } minutes
}
time-in-hours = { $n ->
    [one] dans { $n } heure
   *[other] dans { $n } heures
}
time-in-days = { $n ->
    [one] dans { $n } jour
   *[other] dans { $n } jours
}

## La page du destinataire, tant que le secret attend
waiting-title = Un secret vous attend
waiting-lead-html = Il ne peut être consulté <strong>qu'une seule fois</strong>. Ensuite, il est détruit, pour vous comme pour tout le monde.
waiting-expires-html = S'il n'est pas consulté d'ici là, il expire { $from_now }, le { $at }.
waiting-e2e-noscript = Ce secret a été chiffré dans le navigateur de l'expéditeur. Activez JavaScript pour le déchiffrer ; rien n'est consommé tant que vous ne l'avez pas fait.
waiting-sign-in-note = L'expéditeur n'autorise que les personnes connectées à l'ouvrir. Connectez-vous d'abord : vous reviendrez ici, et rien n'est consommé avant que vous ne le consultiez.
waiting-sign-in = Se connecter pour le voir
waiting-passphrase = Phrase secrète
waiting-passphrase-help = L'expéditeur a dû vous la transmettre par un autre moyen.
waiting-view = Voir le secret

## Le secret révélé
revealed-title = Votre secret
revealed-content = Contenu du secret
revealed-copy = Copier le secret
revealed-warning = Ce secret a été détruit sur le serveur. Il ne pourra plus être consulté : copiez-le maintenant.

## Un lien qui n'ouvre plus de secret
ended-viewed-title = Ce secret a déjà été consulté
ended-viewed = Il a été consulté une fois, puis détruit. Si ce n'était pas vous, quelqu'un d'autre a ouvert le lien avant vous : prévenez l'expéditeur.
ended-viewed-when = Consulté
ended-burned-title = Ce secret a été détruit
ended-burned = Il a été détruit avant que quiconque le consulte, par son expéditeur ou après trop de phrases secrètes erronées.
ended-burned-when = Détruit
ended-expired-title = Ce secret a expiré
ended-expired = Sa durée de vie s'est écoulée avant que quiconque le consulte, et il a été supprimé.
ended-expired-when = Expiré
ended-waiting-title = Ce secret attend toujours
ended-unknown-title = Ce secret n'existe pas
ended-unknown = Le lien est peut-être mal recopié ou incomplet, ou le secret a pris fin il y a longtemps.
ended-signin-title = Connectez-vous pour voir ce secret
ended-signin = Son expéditeur a demandé que seules des personnes connectées puissent l'ouvrir. Il n'a pas été consommé.
ended-refused-title = Ce secret est destiné à quelqu'un d'autre
ended-refused = Ce secret est destiné à quelqu'un d'autre. Votre tentative a été enregistrée.
ended-limited-title = Trop de requêtes
ended-limited = Vous avez envoyé beaucoup de requêtes en peu de temps. Veuillez patienter { $wait } avant de réessayer.
ended-notfound-title = Page introuvable
ended-notfound = Il n'y a pas de page à cette adresse. Vérifiez le lien, ou créez un secret depuis la page d'accueil.
ended-error-title = Une erreur s'est produite
ended-share-own = Partager votre propre secret

## À l’ouverture, et ce que dit le script de la page
reveal-wrong-passphrase = Cette phrase secrète est erronée. Le secret est toujours là. Tentatives restantes : { $n }.
reveal-wrong-key = La clé de ce lien est erronée. Le secret est toujours là. Tentatives restantes : { $n }.
reveal-passphrase-needed = Saisissez la phrase secrète que l'expéditeur vous a donnée.
reveal-needs-js = Ce secret a été chiffré dans le navigateur de l'expéditeur : activez JavaScript pour le déchiffrer. Il n'a pas été consommé.
js-decrypting = Déchiffrement…
js-decrypt-failed = Le secret n'a pas pu être déchiffré dans ce navigateur.
js-incomplete-link = Ce lien est incomplet : la partie après « # » manque ou est abîmée, et le secret ne peut pas être déchiffré sans elle. Rien n'a été consommé : demandez le lien complet à l'expéditeur.
js-insecure-reveal = Ce secret a été chiffré dans le navigateur de l'expéditeur, et cette page n'est pas servie en https : votre navigateur ne peut donc pas le déchiffrer ici. Rien n'a été consommé : ouvrez le lien en https, ou demandez à l'expéditeur de le partager à nouveau.
js-copied = Copié dans le presse-papiers.
js-select-to-copy = Sélectionné : appuyez sur Ctrl+C (⌘C) pour copier.
