import { h, errorBox, notice } from '../dom.js';
import { t } from '../i18n.js';
import { authConfig, sessionToken } from '../api.js';

const SIGNIN_ERRORS = ['denied', 'expired', 'failed', 'no_role', 'unavailable'];

export function renderSignIn(main, { signIn, expired, onDone }) {
  const input = h('input', {
    type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'token-help',
  });
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  if (expired) status.appendChild(notice(t('signin.expired'), 'warning'));
  const button = h('button', { type: 'submit', id: 'signin-submit' }, t('signin.submit'));
  const form = h('form', {
    class: 'signin', id: 'signin-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.replaceChildren();
      const tok = input.value.trim();
      if (!tok) {
        status.appendChild(notice(t('signin.empty'), 'error'));
        input.focus();
        return;
      }
      button.disabled = true;
      try {
        const caps = await signIn(tok);
        onDone(caps);
      } catch (e) {
        if (e.status === 401) status.appendChild(notice(t('signin.bad'), 'error'));
        else status.appendChild(errorBox(e));
        input.focus();
        input.select();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('div', { class: 'form-field' },
    h('label', { for: 'token' }, t('signin.token')),
    input,
    h('span', { class: 'help', id: 'token-help' }, t('signin.token.help'))),
  button,
  status);
  const intro = h('p', t('signin.intro'));
  const page = h('div', { class: 'signin-page' },
    h('h1', { tabindex: '-1' }, t('signin.title')),
    intro,
    form);
  main.appendChild(page);
  input.focus();
  offerProvider(page, { intro, form, signIn, onDone });
}

// With OIDC configured (GET /auth/config), the organisation's sign-in comes first and the token
// form stays for service accounts; a session the server already holds (back from the provider)
// signs in at once. The provider's redirect back names a failure as #/signin?error=CODE.
async function offerProvider(page, { intro, form, signIn, onDone }) {
  const note = h('div', { class: 'form-status', id: 'signin-oidc-status', 'aria-live': 'polite' });
  intro.after(note);
  const error = new URLSearchParams(location.hash.split('?')[1] || '').get('error');
  if (SIGNIN_ERRORS.includes(error)) note.appendChild(notice(t('signin.error.' + error), 'error'));
  const config = await authConfig();
  if (!page.isConnected) return;
  if (config.session && config.session.csrf_token) {
    try {
      onDone(await signIn(sessionToken(config.session.csrf_token)));
      return;
    } catch (e) {
      if (e.status !== 401) note.appendChild(errorBox(e));
    }
  }
  if (!config.oidc || !config.login) return;
  const link = h('a', { href: config.login, id: 'signin-oidc', class: 'button' }, t('signin.oidc'));
  intro.textContent = t('signin.oidc.intro');
  intro.after(h('p', { class: 'signin-oidc' }, link));
  form.before(h('h2', { class: 'signin-token-heading' }, t('signin.token.or')));
  link.focus();
}
