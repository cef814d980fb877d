import { h, errorBox, notice } from '../dom.js';
import { t } from '../i18n.js';

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
  main.appendChild(h('div', { class: 'signin-page' },
    h('h1', { tabindex: '-1' }, t('signin.title')),
    h('p', t('signin.intro')),
    form));
  input.focus();
}
