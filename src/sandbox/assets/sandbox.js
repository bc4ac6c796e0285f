// The sandbox page: plays the Slack client. The server renders every fragment (all text escaped there); this script
// only swaps them in, collects what the person typed or clicked, and sends it to the sandbox API.
const ui = {
  person: localStorage.getItem('wone-sandbox-person') || 'U0EDITOR',
  tab: localStorage.getItem('wone-sandbox-tab') || 'channel:C0APPROVALS',
  main: '',
  modalKey: null,
  people: [],
  busy: 0,
};

const $ = (selector) => document.querySelector(selector);

async function api(path, body) {
  ui.busy += 1;
  try {
    const response = await fetch(`/sandbox/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
    return answer;
  } finally {
    ui.busy -= 1;
  }
}

function toast(text) {
  const element = $('#toast');
  element.textContent = text;
  element.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    element.hidden = true;
  }, 4000);
}

async function refresh() {
  const query = new URLSearchParams({ person: ui.person, tab: ui.tab });
  const response = await fetch(`/sandbox/api/state?${query}`);
  if (!response.ok) return;
  const state = await response.json();
  renderChrome(state);
  const focusedInMain =
    $('#feed').contains(document.activeElement) && document.activeElement.matches('input, textarea');
  if (state.main !== ui.main && !focusedInMain) {
    ui.main = state.main;
    $('#feed').innerHTML = state.main;
    if (ui.tab.startsWith('channel:') || ui.tab === 'messages') $('#feed').scrollTop = $('#feed').scrollHeight;
  }
  const modalKey = state.modal ? state.modal.key : null;
  if (modalKey !== ui.modalKey) {
    ui.modalKey = modalKey;
    const before = $('#modal-root .modal[data-view-id]');
    const typed = before ? typedValues(before) : null;
    $('#modal-root').innerHTML = state.modal ? state.modal.html : '';
    const after = $('#modal-root .modal[data-view-id]');
    // Slack keeps what was typed when the same view comes back (validation errors, views.update) for every input
    // whose block_id and action_id are unchanged.
    if (typed && after && after.dataset.viewId === typed.viewId) restoreValues(after, typed);
  }
  document.body.dataset.ready = 'true';
}

function renderChrome(state) {
  const select = $('#person');
  if (select.options.length !== state.people.length) {
    select.innerHTML = '';
    for (const person of state.people) {
      const option = document.createElement('option');
      option.value = person.id;
      option.textContent = `${person.name} (${person.role})`;
      select.append(option);
    }
  }
  select.value = ui.person;
  const list = $('#channels');
  if (list.children.length !== state.channels.length) {
    list.innerHTML = '';
    for (const channel of state.channels) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'nav-item';
      button.dataset.tab = `channel:${channel.id}`;
      button.textContent = `# ${channel.name}`;
      item.append(button);
      list.append(item);
    }
  }
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.classList.toggle('active', button.dataset.tab === ui.tab);
  }
  $('#title').textContent = state.title;
  $('#composer').hidden = !ui.tab.startsWith('channel:');
}

/** What the person entered in the open modal: per block id and action id, the control's raw value. */
function collectState(container) {
  const state = {};
  if (!container) return state;
  for (const input of container.querySelectorAll('[data-input]')) {
    const { blockId, actionId, type } = input.dataset;
    const fields = [...input.querySelectorAll('[data-field]')];
    let value = null;
    if (type === 'checkboxes') value = fields.filter((field) => field.checked).map((field) => field.value);
    else if (type === 'radio_buttons') value = fields.find((field) => field.checked)?.value ?? null;
    else if (type === 'multi_static_select')
      value = [...(fields[0]?.selectedOptions ?? [])].map((option) => option.value).filter(Boolean);
    else if (type === 'file_input') value = JSON.parse(fields[0]?.dataset.files || '[]');
    else value = fields[0] ? fields[0].value || null : null;
    state[blockId] = { ...(state[blockId] || {}), [actionId]: value };
  }
  return state;
}

/** What the person entered in each input of a modal, as its controls hold it, and which one had the focus. */
function typedValues(modal) {
  const inputs = new Map();
  let focused = null;
  for (const input of modal.querySelectorAll('[data-input]')) {
    const key = `${input.dataset.blockId}\u0000${input.dataset.actionId}`;
    const fields = [...input.querySelectorAll('[data-field]')];
    if (fields.includes(document.activeElement)) focused = key;
    inputs.set(key, {
      type: input.dataset.type,
      fields: fields.map((field) => ({
        value: field.value,
        checked: field.checked,
        selected: field.tagName === 'SELECT' ? [...field.selectedOptions].map((option) => option.value) : null,
        files: field.dataset.files ?? null,
      })),
      list: input.querySelector('.bk-file-list')?.textContent ?? '',
    });
  }
  return { viewId: modal.dataset.viewId, inputs, focused };
}

function restoreValues(modal, typed) {
  for (const input of modal.querySelectorAll('[data-input]')) {
    const key = `${input.dataset.blockId}\u0000${input.dataset.actionId}`;
    const before = typed.inputs.get(key);
    if (!before || before.type !== input.dataset.type) continue;
    const fields = [...input.querySelectorAll('[data-field]')];
    if (input.dataset.type === 'checkboxes' || input.dataset.type === 'radio_buttons') {
      const checked = new Set(before.fields.filter((field) => field.checked).map((field) => field.value));
      for (const field of fields) field.checked = checked.has(field.value);
    } else if (input.dataset.type === 'file_input') {
      if (fields[0] && before.fields[0]?.files) {
        fields[0].dataset.files = before.fields[0].files;
        const list = input.querySelector('.bk-file-list');
        if (list) list.textContent = before.list;
      }
    } else if (fields[0] && before.fields[0]) {
      if (fields[0].tagName === 'SELECT') {
        const chosen = new Set(before.fields[0].selected ?? []);
        for (const option of fields[0].options) option.selected = chosen.has(option.value) && option.value !== '';
      } else {
        fields[0].value = before.fields[0].value;
      }
    }
    if (typed.focused === key) fields[0]?.focus();
  }
}

function originOf(element) {
  const view = element.closest('[data-view-id]');
  if (view) return { kind: 'view', viewId: view.dataset.viewId };
  const message = element.closest('[data-origin]');
  return message ? JSON.parse(message.dataset.origin) : null;
}

function confirmFirst(dialog) {
  if (!dialog) return Promise.resolve(true);
  return new Promise((resolve) => {
    const root = $('#confirm-root');
    root.innerHTML = `<div class="modal-backdrop confirm-backdrop"><section class="modal confirm" role="alertdialog" aria-modal="true">
      <header class="modal-head"><h2></h2></header><div class="modal-body"></div>
      <footer class="modal-foot"><button type="button" class="btn" data-deny></button><button type="button" class="btn" data-confirm-yes></button></footer></section></div>`;
    root.querySelector('h2').textContent = dialog.title;
    root.querySelector('.modal-body').textContent = dialog.text;
    root.querySelector('[data-deny]').textContent = dialog.deny;
    const yes = root.querySelector('[data-confirm-yes]');
    yes.textContent = dialog.confirm;
    yes.classList.add(dialog.style === 'danger' ? 'btn-danger' : 'btn-primary');
    root.querySelector('section').setAttribute('aria-label', dialog.title);
    root.onclick = (event) => {
      if (event.target.closest('[data-confirm-yes]')) finish(true);
      else if (event.target.closest('[data-deny]')) finish(false);
    };
    function finish(answer) {
      root.innerHTML = '';
      root.onclick = null;
      resolve(answer);
    }
  });
}

async function act(element, selected) {
  const origin = originOf(element);
  if (!origin) return;
  // A link button opens its page, as Slack does, and the app hears of the click too.
  if (element.dataset.url) window.open(element.dataset.url, '_blank', 'noopener');
  const dialog = element.dataset.confirm ? JSON.parse(element.dataset.confirm) : null;
  if (!(await confirmFirst(dialog))) return;
  // Slack sends the state of the modal, or of the message's own checkboxes, with the action.
  const modal = element.closest('.modal') ?? element.closest('[data-message]');
  try {
    await api('action', {
      person: ui.person,
      origin,
      blockId: element.dataset.blockId,
      actionId: element.dataset.actionId,
      ...(selected !== undefined ? { selected } : {}),
      ...(modal ? { state: collectState(modal) } : {}),
    });
  } catch (error) {
    toast(`That did not work: ${error.message}`);
  }
  setTimeout(refresh, 150);
}

document.addEventListener('click', async (event) => {
  const target = event.target;
  const tab = target.closest('[data-tab]');
  if (tab) {
    ui.tab = tab.dataset.tab;
    localStorage.setItem('wone-sandbox-tab', ui.tab);
    ui.main = '';
    if (ui.tab === 'home') await api('home', { person: ui.person }).catch((error) => toast(error.message));
    await refresh();
    return;
  }
  const button = target.closest('[data-kind="button"]');
  if (button) {
    await act(button);
    return;
  }
  const modal = target.closest('.modal[data-view-id]');
  if (modal && target.closest('[data-submit]')) {
    const submit = target.closest('[data-submit]');
    submit.disabled = true;
    try {
      const result = await api('submit', {
        person: ui.person,
        viewId: modal.dataset.viewId,
        state: collectState(modal),
      });
      if (result.outcome === 'failed') toast(`The app answered ${result.status}: nothing was submitted.`);
    } catch (error) {
      toast(`That did not work: ${error.message}`);
    }
    submit.disabled = false;
    ui.modalKey = undefined;
    await refresh();
    return;
  }
  if (modal && target.closest('[data-close]')) {
    await api('close', { person: ui.person, viewId: modal.dataset.viewId, state: collectState(modal) }).catch((error) =>
      toast(error.message),
    );
    await refresh();
    return;
  }
  if (target.closest('[data-run-due]')) {
    const answer = await api('clock/run-due', {}).catch((error) => toast(error.message));
    if (answer) toast(`${answer.moved} due job(s) run now.`);
    setTimeout(refresh, 300);
    return;
  }
  const publish = target.closest('[data-publish-now]');
  if (publish) {
    const answer = await api('clock/publish-now', { person: ui.person, postId: publish.dataset.publishNow }).catch(
      (error) => toast(`That did not work: ${error.message}`),
    );
    if (answer) toast('Publishing now.');
    setTimeout(refresh, 300);
    return;
  }
  const job = target.closest('[data-run-job]');
  if (job) {
    await api('clock/run-job', { id: job.dataset.runJob }).catch((error) => toast(error.message));
    setTimeout(refresh, 300);
  }
});

document.addEventListener('change', async (event) => {
  const target = event.target;
  if (target.id === 'person') {
    ui.person = target.value;
    localStorage.setItem('wone-sandbox-person', ui.person);
    ui.main = '';
    ui.modalKey = undefined;
    if (ui.tab === 'home') await api('home', { person: ui.person }).catch((error) => toast(error.message));
    await refresh();
    return;
  }
  if (target.matches('[data-kind="select"]') && target.value) {
    await act(target, target.value);
    return;
  }
  const messageChoice = target.closest('.bk-message-input');
  if (messageChoice && target.matches('[data-field]')) {
    await act(messageChoice);
    return;
  }
  const dispatching = target.closest('[data-input][data-dispatch]');
  if (dispatching && target.matches('[data-field]') && !target.matches('input[type="file"], input[type="text"]')) {
    await act(dispatching);
    return;
  }
  if (target.matches('input[type="file"][data-field]')) {
    const files = [...target.files].slice(0, Number(target.dataset.maxFiles || 10));
    const uploaded = [];
    // The modal may be drawn again while the files upload: the result goes to the input as it is then.
    const show = (ids, text) => {
      const input = target.isConnected
        ? target
        : document.querySelector(`#modal-root input[type="file"][name="${CSS.escape(target.name)}"]`);
      if (!input) return;
      input.dataset.files = JSON.stringify(ids);
      const list = input.parentElement.querySelector('.bk-file-list');
      if (list) list.textContent = text;
    };
    show([], 'Uploading…');
    try {
      for (const file of files) {
        const response = await fetch('/sandbox/api/files', {
          method: 'POST',
          headers: {
            'content-type': file.type || 'application/octet-stream',
            'x-file-name': encodeURIComponent(file.name),
          },
          body: file,
        });
        const answer = await response.json();
        if (!response.ok) throw new Error(answer.error || 'upload failed');
        uploaded.push(answer);
      }
      show(
        uploaded.map((file) => file.id),
        uploaded.map((file) => `✓ ${file.name}`).join(', '),
      );
    } catch (error) {
      show([], `Upload failed: ${error.message}`);
    }
  }
});

// A text input that dispatches its actions sends them when Enter is pressed (Slack's `on_enter_pressed`).
document.addEventListener('keydown', async (event) => {
  const target = event.target;
  if (event.key !== 'Enter' || !target.matches('input[type="text"][data-field]')) return;
  const dispatching = target.closest('[data-input][data-dispatch]');
  if (!dispatching) return;
  event.preventDefault();
  await act(dispatching);
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  event.preventDefault();
  if (form.id === 'composer') {
    const input = $('#composer-text');
    const text = input.value.trim();
    if (!text) return;
    if (!text.startsWith('/')) {
      toast('Type a slash command, such as /wone help.');
      return;
    }
    input.value = '';
    try {
      await api('command', { person: ui.person, channel: ui.tab.slice('channel:'.length), text });
    } catch (error) {
      toast(`That did not work: ${error.message}`);
    }
    setTimeout(refresh, 150);
    return;
  }
  if (form.matches('[data-comment]')) {
    const data = new FormData(form);
    try {
      const answer = await api('comment', {
        accountId: form.dataset.account,
        postId: form.dataset.post,
        author: String(data.get('author') || ''),
        text: String(data.get('text') || ''),
      });
      form.reset();
      document.activeElement?.blur();
      toast(`Comment added; it reached the app by ${answer.delivery === 'webhook' ? 'webhook' : 'the comment poll'}.`);
    } catch (error) {
      toast(`That did not work: ${error.message}`);
    }
    setTimeout(refresh, 300);
  }
});

setInterval(() => {
  if (ui.busy === 0) refresh().catch(() => {});
}, 700);
refresh().then(() => {
  if (ui.tab === 'home') api('home', { person: ui.person }).catch(() => {});
});
