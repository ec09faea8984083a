# Lethe のページ(日本語)。ここにないものは英語で表示されます(locales/en.ftl)。

## すべてのページの枠
skip-to-content = 本文へ移動
tagline = 一度読まれたら、忘れられる秘密
nav-label = アカウント
nav-dashboard = ダッシュボード
nav-teams = チーム
nav-audit = 監査ログ
nav-admin = アカウント管理
nav-sign-in = ログイン
nav-sign-out = ログアウト
footer-promise = リンクは一度だけ有効です。内容は暗号化され、表示後または期限切れで削除されます。
language-label = 言語
language-apply = 変更

## あとどれくらいか
time-now = まもなく
time-in-minutes = { $n } 分後
time-in-hours = { $n } 時間後
time-in-days = { $n } 日後

## 秘密が待っている間の受信者のページ
waiting-title = 秘密があなたを待っています
waiting-lead-html = 表示できるのは<strong>一度だけ</strong>です。表示すると、あなたにとっても他の誰にとっても消去されます。
waiting-expires-html = それまでに表示されなければ、{ $from_now }({ $at })に期限切れになります。
waiting-e2e-noscript = この秘密は送信者のブラウザーで暗号化されています。復号するには JavaScript を有効にしてください。有効にするまで何も消費されません。
waiting-sign-in-note = 送信者は、ログインした人だけが開けるようにしています。先にログインしてください。ここに戻ってきますし、表示するまで何も消費されません。
waiting-sign-in = ログインして表示
waiting-passphrase = パスフレーズ
waiting-passphrase-help = 送信者から別の経路で受け取っているはずです。
waiting-view = 秘密を表示

## 表示された秘密
revealed-title = あなたの秘密
revealed-content = 秘密の内容
revealed-copy = 秘密をコピー
revealed-warning = この秘密はサーバー上で消去されました。二度と表示できません。今すぐコピーしてください。

## もう秘密を開けないリンク
ended-viewed-title = この秘密はすでに表示されています
ended-viewed = 一度表示されたあと、消去されました。あなたでなければ、別の誰かが先にリンクを開いています。送信者に知らせてください。
ended-viewed-when = 表示日時
ended-burned-title = この秘密は破棄されました
ended-burned = 誰かが表示する前に、送信者によって、または誤ったパスフレーズが多すぎたために破棄されました。
ended-burned-when = 破棄日時
ended-expired-title = この秘密は期限切れです
ended-expired = 誰も表示しないまま有効期間が終わり、削除されました。
ended-expired-when = 期限切れ日時
ended-waiting-title = この秘密はまだ待っています
ended-unknown-title = この秘密は存在しません
ended-unknown = リンクの写し間違いや欠けがあるか、秘密がずっと前に終了しています。
ended-signin-title = この秘密を表示するにはログインしてください
ended-signin = 送信者は、ログインした人だけが開けるよう求めています。まだ消費されていません。
ended-refused-title = この秘密は別の人に宛てたものです
ended-refused = この秘密は別の人に宛てたものです。あなたの試みは記録されました。
ended-limited-title = リクエストが多すぎます
ended-limited = 短時間に多くのリクエストがありました。{ $wait } 待ってから、もう一度お試しください。
ended-notfound-title = ページが見つかりません
ended-notfound = このアドレスにページはありません。リンクを確認するか、トップページから秘密を作成してください。
ended-error-title = 問題が発生しました
ended-share-own = 自分の秘密を共有する

## 表示するとき、およびページのスクリプトの表示
reveal-wrong-passphrase = パスフレーズが違います。秘密はまだ残っています。残りの試行回数: { $n }。
reveal-wrong-key = このリンクの鍵が違います。秘密はまだ残っています。残りの試行回数: { $n }。
reveal-passphrase-needed = 送信者から受け取ったパスフレーズを入力してください。
reveal-needs-js = この秘密は送信者のブラウザーで暗号化されています。復号するには JavaScript を有効にしてください。まだ消費されていません。
js-decrypting = 復号しています…
js-decrypt-failed = このブラウザーでは秘密を復号できませんでした。
js-incomplete-link = このリンクは不完全です。「#」以降の部分が欠けているか壊れているため、秘密を復号できません。何も消費されていません。送信者に完全なリンクを求めてください。
js-insecure-reveal = この秘密は送信者のブラウザーで暗号化されていますが、このページは https で配信されていないため、ここではブラウザーで復号できません。何も消費されていません。https でリンクを開くか、送信者にもう一度共有してもらってください。
js-copied = クリップボードにコピーしました。
js-select-to-copy = 選択しました。Ctrl+C(⌘C)でコピーしてください。
