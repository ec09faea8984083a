# صفحات Lethe بالعربية. ما لا يوجد هنا يظهر بالإنجليزية (locales/en.ftl).

## إطار كل صفحة
skip-to-content = انتقل إلى المحتوى
tagline = أسرار تُقرأ مرة واحدة ثم تُنسى
nav-label = الحساب
nav-dashboard = لوحة المتابعة
nav-teams = الفرق
nav-audit = سجل التدقيق
nav-admin = الحسابات
nav-sign-in = تسجيل الدخول
nav-sign-out = تسجيل الخروج
footer-promise = الروابط تعمل مرة واحدة فقط. المحتوى مشفّر ويُحذف بعد عرضه أو عند انتهاء صلاحيته.
language-label = اللغة
language-apply = تغيير

## كم يبعد الموعد
time-now = الآن
time-in-minutes = { $n ->
    [zero] خلال أقل من دقيقة
    [one] خلال دقيقة واحدة
    [two] خلال دقيقتين
    [few] خلال { $n } دقائق
   *[other] خلال { $n } دقيقة
}
time-in-hours = { $n ->
    [zero] خلال أقل من ساعة
    [one] خلال ساعة واحدة
    [two] خلال ساعتين
    [few] خلال { $n } ساعات
   *[other] خلال { $n } ساعة
}
time-in-days = { $n ->
    [zero] خلال أقل من يوم
    [one] خلال يوم واحد
    [two] خلال يومين
    [few] خلال { $n } أيام
   *[other] خلال { $n } يومًا
}

## صفحة المستلم ما دام السر بانتظاره
waiting-title = سرٌّ بانتظارك
waiting-lead-html = يمكن عرضه <strong>مرة واحدة فقط</strong>. بعد ذلك يُتلف، لك ولأي شخص آخر.
waiting-expires-html = ما لم يُعرض قبل ذلك، تنتهي صلاحيته { $from_now }، في { $at }.
waiting-e2e-noscript = شُفّر هذا السر في متصفح المرسل. فعّل JavaScript لفك تشفيره؛ لن يُستهلك شيء حتى تفعل.
waiting-sign-in-note = يسمح المرسل للمستخدمين المسجّلين فقط بفتحه. سجّل الدخول أولًا: ستعود إلى هنا، ولن يُستهلك شيء حتى تعرضه.
waiting-sign-in = سجّل الدخول لعرضه
waiting-passphrase = عبارة المرور
waiting-passphrase-help = من المفترض أن يكون المرسل قد أعطاك إياها بطريقة منفصلة.
waiting-view = اعرض السر

## السر بعد فتحه
revealed-title = سرّك
revealed-content = محتوى السر
revealed-copy = انسخ السر
revealed-warning = أُتلف هذا السر على الخادم، ولا يمكن عرضه مرة أخرى: انسخه الآن.

## رابط لم يعد يفتح سرًّا
ended-viewed-title = عُرض هذا السر من قبل
ended-viewed = عُرض مرة واحدة ثم أُتلف. إن لم تكن أنت من عرضه، فقد فتح شخص آخر الرابط قبلك: أخبر المرسل.
ended-viewed-when = عُرض
ended-burned-title = أُتلف هذا السر
ended-burned = أُتلف قبل أن يعرضه أحد، إما على يد المرسل أو بعد محاولات كثيرة بعبارة مرور خاطئة.
ended-burned-when = أُتلف
ended-expired-title = انتهت صلاحية هذا السر
ended-expired = انتهت مدته قبل أن يعرضه أحد، فحُذف.
ended-expired-when = انتهت صلاحيته
ended-waiting-title = هذا السر ما زال بالانتظار
ended-unknown-title = هذا السر غير موجود
ended-unknown = ربما كُتب الرابط خطأً أو نُسخ ناقصًا، أو انتهى السر منذ زمن.
ended-signin-title = سجّل الدخول لعرض هذا السر
ended-signin = طلب المرسل ألا يفتحه إلا المستخدمون المسجّلون. لم يُستهلك بعد.
ended-refused-title = هذا السر مخصص لشخص آخر
ended-refused = هذا السر مخصص لشخص آخر. سُجّلت محاولتك.
ended-limited-title = طلبات كثيرة جدًا
ended-limited = أرسلت طلبات كثيرة في وقت قصير. يُرجى الانتظار { $wait } ثم المحاولة من جديد.
ended-notfound-title = الصفحة غير موجودة
ended-notfound = لا توجد صفحة على هذا العنوان. تحقق من الرابط، أو أنشئ سرًّا من الصفحة الرئيسية.
ended-error-title = حدث خطأ ما
ended-share-own = شارك سرًّا خاصًا بك
