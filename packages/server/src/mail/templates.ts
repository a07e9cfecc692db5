/**
 * The mails (spec 11), multipart text + HTML, in the widget's (or the
 * visitor's chosen) language. Everything a visitor typed is escaped for the
 * HTML part and kept as plain text in the text part; subjects lose line
 * breaks and control characters, so no header can be added through them
 * (nodemailer encodes the rest).
 */
import type { Lang } from '@cw/protocol';

const TEXTS = {
  en: {
    offlineSubject: 'New message from {name} ({widget})',
    offlineIntro: 'A visitor left a message on "{widget}" while nobody was available.',
    name: 'Name',
    email: 'E-mail',
    message: 'Message',
    consent: 'Consent given',
    yes: 'yes',
    transcriptSubject: 'Your chat with {widget}',
    transcriptIntro: 'Here is the transcript of your chat with {widget}.',
    you: 'You',
    system: 'Note',
  },
  de: {
    offlineSubject: 'Neue Nachricht von {name} ({widget})',
    offlineIntro: 'Ein Besucher hat auf „{widget}“ eine Nachricht hinterlassen, als niemand erreichbar war.',
    name: 'Name',
    email: 'E-Mail',
    message: 'Nachricht',
    consent: 'Einwilligung erteilt',
    yes: 'ja',
    transcriptSubject: 'Ihr Chat mit {widget}',
    transcriptIntro: 'Hier ist der Verlauf Ihres Chats mit {widget}.',
    you: 'Sie',
    system: 'Hinweis',
  },
  fr: {
    offlineSubject: 'Nouveau message de {name} ({widget})',
    offlineIntro: 'Un visiteur a laissé un message sur « {widget} » alors que personne n’était disponible.',
    name: 'Nom',
    email: 'E-mail',
    message: 'Message',
    consent: 'Consentement donné',
    yes: 'oui',
    transcriptSubject: 'Votre discussion avec {widget}',
    transcriptIntro: 'Voici la transcription de votre discussion avec {widget}.',
    you: 'Vous',
    system: 'Remarque',
  },
  it: {
    offlineSubject: 'Nuovo messaggio da {name} ({widget})',
    offlineIntro: 'Un visitatore ha lasciato un messaggio su «{widget}» mentre nessuno era disponibile.',
    name: 'Nome',
    email: 'E-mail',
    message: 'Messaggio',
    consent: 'Consenso dato',
    yes: 'sì',
    transcriptSubject: 'La sua chat con {widget}',
    transcriptIntro: 'Ecco la trascrizione della sua chat con {widget}.',
    you: 'Lei',
    system: 'Nota',
  },
  es: {
    offlineSubject: 'Nuevo mensaje de {name} ({widget})',
    offlineIntro: 'Un visitante dejó un mensaje en «{widget}» cuando nadie estaba disponible.',
    name: 'Nombre',
    email: 'Correo electrónico',
    message: 'Mensaje',
    consent: 'Consentimiento dado',
    yes: 'sí',
    transcriptSubject: 'Su chat con {widget}',
    transcriptIntro: 'Aquí tiene la transcripción de su chat con {widget}.',
    you: 'Usted',
    system: 'Nota',
  },
  nl: {
    offlineSubject: 'Nieuw bericht van {name} ({widget})',
    offlineIntro: 'Een bezoeker heeft een bericht achtergelaten op "{widget}" toen niemand beschikbaar was.',
    name: 'Naam',
    email: 'E-mail',
    message: 'Bericht',
    consent: 'Toestemming gegeven',
    yes: 'ja',
    transcriptSubject: 'Uw chat met {widget}',
    transcriptIntro: 'Hier is het verslag van uw chat met {widget}.',
    you: 'U',
    system: 'Opmerking',
  },
  pt: {
    offlineSubject: 'Nova mensagem de {name} ({widget})',
    offlineIntro: 'Um visitante deixou uma mensagem em "{widget}" quando ninguém estava disponível.',
    name: 'Nome',
    email: 'E-mail',
    message: 'Mensagem',
    consent: 'Consentimento dado',
    yes: 'sim',
    transcriptSubject: 'A sua conversa com {widget}',
    transcriptIntro: 'Aqui está a transcrição da sua conversa com {widget}.',
    you: 'Você',
    system: 'Nota',
  },
  pl: {
    offlineSubject: 'Nowa wiadomość od {name} ({widget})',
    offlineIntro: 'Odwiedzający zostawił wiadomość w „{widget}”, gdy nikt nie był dostępny.',
    name: 'Imię',
    email: 'E-mail',
    message: 'Wiadomość',
    consent: 'Zgoda udzielona',
    yes: 'tak',
    transcriptSubject: 'Twój czat z {widget}',
    transcriptIntro: 'Oto zapis Twojego czatu z {widget}.',
    you: 'Ty',
    system: 'Uwaga',
  },
  sv: {
    offlineSubject: 'Nytt meddelande från {name} ({widget})',
    offlineIntro: 'En besökare lämnade ett meddelande på "{widget}" när ingen var tillgänglig.',
    name: 'Namn',
    email: 'E-post',
    message: 'Meddelande',
    consent: 'Samtycke givet',
    yes: 'ja',
    transcriptSubject: 'Din chatt med {widget}',
    transcriptIntro: 'Här är utskriften av din chatt med {widget}.',
    you: 'Du',
    system: 'Obs',
  },
  tr: {
    offlineSubject: '{name} kişisinden yeni mesaj ({widget})',
    offlineIntro: 'Bir ziyaretçi, kimse müsait değilken "{widget}" üzerinden mesaj bıraktı.',
    name: 'Ad',
    email: 'E-posta',
    message: 'Mesaj',
    consent: 'Onay verildi',
    yes: 'evet',
    transcriptSubject: '{widget} ile sohbetiniz',
    transcriptIntro: '{widget} ile sohbetinizin dökümü aşağıdadır.',
    you: 'Siz',
    system: 'Not',
  },
  ar: {
    offlineSubject: 'رسالة جديدة من {name} ({widget})',
    offlineIntro: 'ترك زائر رسالة على "{widget}" عندما لم يكن أحد متاحًا.',
    name: 'الاسم',
    email: 'البريد الإلكتروني',
    message: 'الرسالة',
    consent: 'تمت الموافقة',
    yes: 'نعم',
    transcriptSubject: 'محادثتك مع {widget}',
    transcriptIntro: 'إليك نص محادثتك مع {widget}.',
    you: 'أنت',
    system: 'ملاحظة',
  },
  he: {
    offlineSubject: 'הודעה חדשה מ-{name} ({widget})',
    offlineIntro: 'מבקר השאיר הודעה ב-"{widget}" כשאף אחד לא היה זמין.',
    name: 'שם',
    email: 'דוא״ל',
    message: 'הודעה',
    consent: 'ניתנה הסכמה',
    yes: 'כן',
    transcriptSubject: 'הצ׳אט שלך עם {widget}',
    transcriptIntro: 'הנה התמליל של הצ׳אט שלך עם {widget}.',
    you: 'את/ה',
    system: 'הערה',
  },
} satisfies Record<Lang, Record<string, string>>;

type Key = keyof (typeof TEXTS)['en'];

function tr(lang: string, key: Key, vars: Record<string, string> = {}): string {
  const table = (TEXTS as Record<string, Record<Key, string>>)[lang] ?? TEXTS.en;
  return table[key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

/** HTML text: & < > " ' escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One header line: no CR/LF or other control characters, bounded. */
export function headerSafe(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ').trim().slice(0, max);
}

/** Plain text with line breaks as HTML. */
function htmlText(s: string): string {
  return escapeHtml(s).replace(/\r?\n/g, '<br>');
}

function page(lang: string, body: string): string {
  const dir = lang === 'ar' || lang === 'he' ? 'rtl' : 'ltr';
  return `<!doctype html><html lang="${escapeHtml(lang)}" dir="${dir}"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.4">${body}</body></html>`;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** The notification of an offline message to the widget's addresses. */
export function offlineMail(lang: string, o: { widget: string; name: string; email: string; text: string; consentText: string; consent: boolean }): ComposedMail {
  // The name is one line wherever it appears (it was typed into a one-line field).
  const oneLine = headerSafe(o.name, 100);
  const name = oneLine || o.email;
  const rows: [string, string][] = [
    [tr(lang, 'name'), oneLine],
    [tr(lang, 'email'), o.email],
  ];
  if (o.consentText && o.consent) rows.push([tr(lang, 'consent'), `${tr(lang, 'yes')} — ${o.consentText}`]);
  const intro = tr(lang, 'offlineIntro', { widget: o.widget });
  const text = [intro, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', `${tr(lang, 'message')}:`, o.text, ''].join('\n');
  const html = page(
    lang,
    `<p>${escapeHtml(intro)}</p><table>${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>` +
      `<h3>${escapeHtml(tr(lang, 'message'))}</h3><p>${htmlText(o.text)}</p>`,
  );
  return { subject: headerSafe(tr(lang, 'offlineSubject', { name, widget: o.widget })), text, html };
}

export interface TranscriptLine {
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
}

/** A chat's transcript for the visitor: every message, with sender and time (in the given zone, UTC by default). */
export function transcriptMail(lang: string, o: { widget: string; lines: TranscriptLine[]; timeZone?: string }): ComposedMail {
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short', timeZone: o.timeZone ?? 'UTC' });
  const who = (l: TranscriptLine) => (l.from === 'visitor' ? tr(lang, 'you') : l.from === 'system' ? tr(lang, 'system') : l.dn);
  const intro = tr(lang, 'transcriptIntro', { widget: o.widget });
  const text = [intro, '', ...o.lines.map((l) => `[${fmt.format(l.ts)}] ${who(l)}: ${l.text}`), ''].join('\n');
  const html = page(
    lang,
    `<p>${escapeHtml(intro)}</p>` +
      o.lines.map((l) => `<p><small>${escapeHtml(fmt.format(l.ts))}</small> <strong>${escapeHtml(who(l))}</strong><br>${htmlText(l.text)}</p>`).join(''),
  );
  return { subject: headerSafe(tr(lang, 'transcriptSubject', { widget: o.widget })), text, html };
}
