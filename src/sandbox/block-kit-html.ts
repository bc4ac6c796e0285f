import { type Directory, escapeHtml, mrkdwnToHtml, safeUrl } from './mrkdwn-html.ts';

/** Loosely typed Block Kit as it arrives from the app: every field is checked before use. */
type Json = Record<string, unknown>;

export interface RenderOptions extends Directory {
  /** Error text per input block id (a `view_submission` answered with `response_action: errors`). */
  errors?: Record<string, string>;
  /** The acting person's time zone, for date-time pickers' initial values. */
  timezone?: string;
}

/**
 * The block id an interaction reports. Slack gives blocks without one an id of its own when they are posted; the
 * sandbox uses the block's position, so the same block always gets the same id.
 */
export function blockIdOf(block: unknown, index: number): string {
  const id = isObject(block) ? block.block_id : undefined;
  return typeof id === 'string' && id !== '' ? id : `sbx-${index}`;
}

/** Blocks with every block id filled in, as Slack sends them back in payloads. */
export function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block, index) => (isObject(block) ? { ...block, block_id: blockIdOf(block, index) } : block));
}

/**
 * Block Kit as HTML, the way the Slack client lays it out. Interactive elements carry `data-block-id` and
 * `data-action-id` (and inputs `data-type`) so the page can report clicks and values; the page never needs the
 * element definitions, the server looks them up again. All text is escaped.
 */
export function renderBlocks(blocks: unknown, options: RenderOptions = {}): string {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((block, index) => renderBlock(block, blockIdOf(block, index), options)).join('');
}

function renderBlock(block: unknown, blockId: string, options: RenderOptions): string {
  if (!isObject(block)) return '';
  const id = escapeHtml(blockId);
  switch (block.type) {
    case 'header':
      return `<div class="bk-block bk-header" data-block="${id}">${plainText(block.text)}</div>`;
    case 'divider':
      return `<hr class="bk-block bk-divider" data-block="${id}">`;
    case 'section': {
      const text = isObject(block.text) ? `<div class="bk-text">${textObject(block.text, options)}</div>` : '';
      const fields = Array.isArray(block.fields)
        ? `<div class="bk-fields">${block.fields.map((field) => `<div class="bk-field">${textObject(field, options)}</div>`).join('')}</div>`
        : '';
      const accessory = isObject(block.accessory)
        ? `<div class="bk-accessory">${renderElement(block.accessory, blockId)}</div>`
        : '';
      return `<div class="bk-block bk-section" data-block="${id}"><div class="bk-section-body">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      const parts = elements.map((element) =>
        isObject(element) && element.type === 'image'
          ? image(element, 'bk-context-image')
          : `<span class="bk-context-text">${textObject(element, options)}</span>`,
      );
      return `<div class="bk-block bk-context" data-block="${id}">${parts.join('')}</div>`;
    }
    case 'image': {
      const title = isObject(block.title) ? `<div class="bk-image-title">${plainText(block.title)}</div>` : '';
      return `<figure class="bk-block bk-image" data-block="${id}">${title}${image(block, 'bk-image-full')}</figure>`;
    }
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      return `<div class="bk-block bk-actions" data-block="${id}">${elements.map((element) => renderElement(element, blockId)).join('')}</div>`;
    }
    case 'input':
      return renderInput(block, blockId, options);
    case 'markdown':
      return `<div class="bk-block bk-markdown" data-block="${id}">${mrkdwnToHtml(String(block.text ?? ''), options)}</div>`;
    case 'rich_text':
      return `<div class="bk-block bk-rich-text" data-block="${id}">${escapeHtml(richTextOf(block)).replace(/\n/g, '<br>')}</div>`;
    case 'video': {
      const url = safeUrl(String(block.title_url ?? block.video_url ?? ''));
      const title = plainText(block.title);
      return `<div class="bk-block bk-video" data-block="${id}">▶ ${url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : title}</div>`;
    }
    default:
      return `<div class="bk-block bk-unsupported" data-block="${id}">[${escapeHtml(String(block.type))} block]</div>`;
  }
}

/** An element in a section accessory or an actions block: buttons, selects, overflow menus, images. */
function renderElement(element: unknown, blockId: string): string {
  if (!isObject(element)) return '';
  const ids = interactiveIds(blockId, element);
  switch (element.type) {
    case 'button': {
      const style = element.style === 'primary' || element.style === 'danger' ? ` bk-button-${element.style}` : '';
      const url = typeof element.url === 'string' ? safeUrl(element.url) : undefined;
      const confirm = confirmAttribute(element.confirm);
      const link = url ? ` data-url="${escapeHtml(url)}"` : '';
      return `<button type="button" class="bk-button${style}" data-kind="button"${ids}${confirm}${link}>${plainText(element.text)}</button>`;
    }
    case 'static_select':
    case 'overflow': {
      const placeholder = element.type === 'overflow' ? '⋯' : plainTextRaw(element.placeholder) || 'Select';
      const initial = isObject(element.initial_option) ? String(element.initial_option.value ?? '') : '';
      return `<select class="bk-select" data-kind="select"${ids}${confirmAttribute(element.confirm)}><option value="">${escapeHtml(placeholder)}</option>${optionTags(element, [initial])}</select>`;
    }
    case 'image':
      return image(element, 'bk-accessory-image');
    case 'datepicker':
      return `<input type="date" class="bk-date" data-kind="select"${ids} value="${escapeHtml(String(element.initial_date ?? ''))}">`;
    case 'checkboxes':
    case 'radio_buttons':
      // Kept by the page and sent as the message's state with the next button click, as Slack does.
      return (
        `<div class="bk-message-input" data-input${ids} data-type="${escapeHtml(String(element.type))}">` +
        `${inputControl(element, `${blockId}:${String(element.action_id ?? '')}`, {})}</div>`
      );
    default:
      return `<span class="bk-unsupported">[${escapeHtml(String(element.type))}]</span>`;
  }
}

/** An input block in a modal: label, optional marker, the control, hint and any error from the last submission. */
function renderInput(block: Json, blockId: string, options: RenderOptions): string {
  const element = isObject(block.element) ? block.element : {};
  const type = String(element.type ?? '');
  const actionId = String(element.action_id ?? '');
  const name = `${blockId}:${actionId}`;
  const control = inputControl(element, name, options);
  // A label names its one control (so readers and tests find the field by its label); a group of choices is named by
  // each choice's own label.
  const labelFor = type === 'radio_buttons' || type === 'checkboxes' ? '' : ` for="${escapeHtml(fieldId(name))}"`;
  const optional = block.optional === true ? ' <span class="bk-optional">(optional)</span>' : '';
  const hint = isObject(block.hint) ? `<div class="bk-hint">${plainText(block.hint)}</div>` : '';
  const error = options.errors?.[blockId];
  const errorHtml = error ? `<div class="bk-error" role="alert">${escapeHtml(error)}</div>` : '';
  const dispatch = block.dispatch_action === true ? ' data-dispatch' : '';
  return (
    `<div class="bk-block bk-input${error ? ' bk-has-error' : ''}" data-block="${escapeHtml(blockId)}"${dispatch} ` +
    `data-input data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(actionId)}" data-type="${escapeHtml(type)}">` +
    `<label class="bk-label"${labelFor}>${plainText(block.label)}${optional}</label>${control}${hint}${errorHtml}</div>`
  );
}

function inputControl(element: Json, name: string, options: RenderOptions): string {
  const placeholder = plainTextRaw(element.placeholder);
  const placeholderAttr = placeholder ? ` placeholder="${escapeHtml(placeholder)}"` : '';
  const field = ` data-field name="${escapeHtml(name)}" id="${escapeHtml(fieldId(name))}"`;
  const choiceField = ` data-field name="${escapeHtml(name)}"`;
  const initialValue = escapeHtml(String(element.initial_value ?? ''));
  switch (element.type) {
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? ` maxlength="${element.max_length}"` : '';
      return element.multiline === true
        ? `<textarea class="bk-textarea" rows="4"${field}${placeholderAttr}${max}>${initialValue}</textarea>`
        : `<input type="text" class="bk-text-input"${field}${placeholderAttr}${max} value="${initialValue}">`;
    }
    case 'url_text_input':
      return `<input type="url" class="bk-text-input"${field}${placeholderAttr} value="${initialValue}">`;
    case 'email_text_input':
      return `<input type="email" class="bk-text-input"${field}${placeholderAttr} value="${initialValue}">`;
    case 'number_input':
      return `<input type="number" class="bk-text-input"${field}${placeholderAttr} value="${initialValue}"${element.is_decimal_allowed === true ? ' step="any"' : ''}>`;
    case 'static_select': {
      const initial = isObject(element.initial_option) ? String(element.initial_option.value ?? '') : '';
      return `<select class="bk-select"${field}><option value="">${escapeHtml(placeholder || 'Select an option')}</option>${optionTags(element, [initial])}</select>`;
    }
    case 'multi_static_select': {
      const initial = Array.isArray(element.initial_options)
        ? element.initial_options.map((option) => (isObject(option) ? String(option.value ?? '') : ''))
        : [];
      return `<select multiple class="bk-multi-select"${field}>${optionTags(element, initial)}</select>`;
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const kind = element.type === 'radio_buttons' ? 'radio' : 'checkbox';
      const initial =
        element.type === 'radio_buttons'
          ? [isObject(element.initial_option) ? String(element.initial_option.value ?? '') : '']
          : (Array.isArray(element.initial_options) ? element.initial_options : []).map((option) =>
              isObject(option) ? String(option.value ?? '') : '',
            );
      const list = Array.isArray(element.options) ? element.options : [];
      return `<div class="bk-choices">${list
        .filter(isObject)
        .map((option) => {
          const value = String(option.value ?? '');
          const checked = initial.includes(value) ? ' checked' : '';
          const description = isObject(option.description)
            ? `<div class="bk-choice-description">${textObject(option.description, options)}</div>`
            : '';
          return `<label class="bk-choice"><input type="${kind}"${choiceField} value="${escapeHtml(value)}"${checked}> <span>${textObject(option.text, options)}</span>${description}</label>`;
        })
        .join('')}</div>`;
    }
    case 'datepicker':
      return `<input type="date" class="bk-date"${field} value="${escapeHtml(String(element.initial_date ?? ''))}">`;
    case 'timepicker':
      return `<input type="time" class="bk-time"${field} value="${escapeHtml(String(element.initial_time ?? ''))}">`;
    case 'datetimepicker': {
      const initial =
        typeof element.initial_date_time === 'number' ? localDateTime(element.initial_date_time, options.timezone) : '';
      return `<input type="datetime-local" class="bk-datetime"${field} value="${escapeHtml(initial)}">`;
    }
    case 'file_input': {
      const max = typeof element.max_files === 'number' ? element.max_files : 10;
      const accept = Array.isArray(element.filetypes)
        ? ` accept="${escapeHtml(element.filetypes.map((type) => `.${String(type)}`).join(','))}"`
        : '';
      return `<input type="file" class="bk-file"${field}${max > 1 ? ' multiple' : ''}${accept} data-max-files="${max}"><div class="bk-file-list"></div>`;
    }
    default:
      return `<span class="bk-unsupported">[${escapeHtml(String(element.type))} input]</span>`;
  }
}

/** The id of an input's control, from its block and action ids. */
function fieldId(name: string): string {
  return `bk-field-${name}`;
}

function optionTags(element: Json, selected: string[]): string {
  const option = (item: unknown) => {
    if (!isObject(item)) return '';
    const value = String(item.value ?? '');
    return `<option value="${escapeHtml(value)}"${selected.includes(value) && value !== '' ? ' selected' : ''}>${plainText(item.text)}</option>`;
  };
  if (Array.isArray(element.option_groups)) {
    return element.option_groups
      .filter(isObject)
      .map(
        (group) =>
          `<optgroup label="${escapeHtml(plainTextRaw(group.label))}">${(Array.isArray(group.options) ? group.options : []).map(option).join('')}</optgroup>`,
      )
      .join('');
  }
  return (Array.isArray(element.options) ? element.options : []).map(option).join('');
}

function interactiveIds(blockId: string, element: Json): string {
  return ` data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(String(element.action_id ?? ''))}"`;
}

/** A confirm dialog's texts as a JSON attribute; the page shows it before sending the click. */
function confirmAttribute(confirm: unknown): string {
  if (!isObject(confirm)) return '';
  const dialog = {
    title: plainTextRaw(confirm.title) || 'Are you sure?',
    text: isObject(confirm.text) ? String(confirm.text.text ?? '') : '',
    confirm: plainTextRaw(confirm.confirm) || 'Yes',
    deny: plainTextRaw(confirm.deny) || 'Cancel',
    style: confirm.style === 'danger' ? 'danger' : 'primary',
  };
  return ` data-confirm="${escapeHtml(JSON.stringify(dialog))}"`;
}

function image(element: Json, className: string): string {
  const url = typeof element.image_url === 'string' ? safeUrl(element.image_url) : undefined;
  const alt = escapeHtml(String(element.alt_text ?? ''));
  if (!url) return `<span class="${className} bk-image-missing" title="${alt}">🖼 ${alt}</span>`;
  return `<img class="${className}" src="${escapeHtml(url)}" alt="${alt}" loading="lazy">`;
}

function textObject(text: unknown, options: RenderOptions): string {
  if (!isObject(text)) return '';
  return text.type === 'mrkdwn' ? mrkdwnToHtml(String(text.text ?? ''), options) : plainText(text);
}

function plainText(text: unknown): string {
  return escapeHtml(plainTextRaw(text));
}

function plainTextRaw(text: unknown): string {
  return isObject(text) ? String(text.text ?? '') : '';
}

/** The text of a rich text block (no formatting): enough to read it. */
function richTextOf(block: Json): string {
  const walk = (node: unknown): string => {
    if (!isObject(node)) return '';
    if (typeof node.text === 'string') return node.text;
    if (node.type === 'user') return `@${String(node.user_id ?? '')}`;
    if (node.type === 'link') return String(node.text ?? node.url ?? '');
    return Array.isArray(node.elements) ? node.elements.map(walk).join('') : '';
  };
  return walk(block);
}

/** Unix seconds as the `YYYY-MM-DDTHH:mm` a datetime-local control shows, in `timezone`. */
function localDateTime(seconds: number, timezone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(seconds * 1000));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
