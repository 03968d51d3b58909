/** What every template knows besides its own data: whose panel it is and where it lives. */
export interface TemplateContext {
  readonly panelName: string;
  /** The panel's public URL, without a trailing slash. */
  readonly appUrl: string;
  /** The wallet currency, for formatCents. */
  readonly currency: string;
  /** Where customers write for help: MAIL_FROM's address (replies go there too). */
  readonly supportEmail: string;
}

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** receipt: the customer may switch it off; notice: always sent (money and servers). */
export type MailCategory = 'receipt' | 'notice';

export interface MailTemplate<D> {
  readonly category: MailCategory;
  render(data: D, ctx: TemplateContext): RenderedMail;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** One block of a message: a paragraph, a list of facts, or a link button. */
export type Block =
  | { readonly p: string }
  | { readonly facts: readonly (readonly [label: string, value: string])[] }
  | { readonly link: string; readonly label: string };

/**
 * Renders a message from blocks, once as plain text and once as simple HTML with the same words.
 * Inline styles only; no images, no remote resources, nothing that reports an open.
 */
export function compose(ctx: TemplateContext, subject: string, blocks: readonly Block[]): RenderedMail {
  const text = [
    ...blocks.map((b) => {
      if ('p' in b) return b.p;
      if ('facts' in b) return b.facts.map(([label, value]) => `${label}: ${value}`).join('\n');
      return `${b.label}: ${b.link}`;
    }),
    `-- \n${ctx.panelName}\n${ctx.appUrl}`,
  ].join('\n\n');
  const body = blocks
    .map((b) => {
      if ('p' in b) return `<p style="margin:0 0 16px">${escapeHtml(b.p).replace(/\n/g, '<br>')}</p>`;
      if ('facts' in b)
        return `<table role="presentation" style="margin:0 0 16px;border-collapse:collapse">${b.facts
          .map(
            ([label, value]) =>
              `<tr><td style="padding:2px 16px 2px 0;color:#555">${escapeHtml(label)}</td><td style="padding:2px 0"><strong>${escapeHtml(value)}</strong></td></tr>`,
          )
          .join('')}</table>`;
      return `<p style="margin:0 0 16px"><a href="${escapeHtml(b.link)}" style="color:#4338ca">${escapeHtml(b.label)}</a></p>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#111">
<div style="max-width:560px">
<h1 style="font-size:18px;margin:0 0 16px">${escapeHtml(subject)}</h1>
${body}
<p style="margin:24px 0 0;color:#777;font-size:13px">${escapeHtml(ctx.panelName)} &middot; <a href="${escapeHtml(ctx.appUrl)}" style="color:#777">${escapeHtml(ctx.appUrl)}</a></p>
</div>
</body></html>
`;
  return { subject, text, html };
}

/** Where a customer opens a document (receipt, invoice) of theirs: the panel's HTML view of it. */
export function documentLink(appUrl: string, documentNumber: string): string {
  return `${appUrl}/api/documents/${encodeURIComponent(documentNumber)}`;
}
