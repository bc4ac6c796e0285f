/**
 * Slack's Block Kit limits (reference: shared/reference/slack.md §3), checked the way Slack checks them. The fake Web
 * API refuses what breaks them, and view tests assert against them.
 */

type Json = Record<string, unknown>;

const textOf = (value: unknown): string =>
  typeof value === 'object' && value ? String((value as Json).text ?? '') : '';

function checkLength(problems: string[], where: string, value: unknown, max: number): void {
  if (typeof value === 'string' && value.length > max)
    problems.push(`${where} is ${value.length} characters (max ${max})`);
}

function checkElement(problems: string[], where: string, element: Json): void {
  checkLength(problems, `${where}.action_id`, element.action_id, 255);
  checkLength(problems, `${where}.placeholder`, textOf(element.placeholder), 150);
  if (element.type === 'button') {
    const text = textOf(element.text);
    if (!text) problems.push(`${where}.text is required`);
    checkLength(problems, `${where}.text`, text, 75);
    checkLength(problems, `${where}.value`, element.value, 2000);
    checkLength(problems, `${where}.url`, element.url, 3000);
  }
  const options = (element.options ?? element.option_groups) as Json[] | undefined;
  if (Array.isArray(options)) {
    if (options.length > 100) problems.push(`${where} has ${options.length} options (max 100)`);
    if (element.type === 'overflow' && (options.length < 1 || options.length > 5)) {
      problems.push(`${where} overflow needs 1 to 5 options`);
    }
    options.forEach((option, index) => {
      checkLength(problems, `${where}.options[${index}].text`, textOf(option.text), 75);
      checkLength(problems, `${where}.options[${index}].value`, option.value, 150);
    });
  }
  const confirm = element.confirm as Json | undefined;
  if (confirm) {
    checkLength(problems, `${where}.confirm.title`, textOf(confirm.title), 100);
    checkLength(problems, `${where}.confirm.text`, textOf(confirm.text), 300);
    checkLength(problems, `${where}.confirm.confirm`, textOf(confirm.confirm), 30);
    checkLength(problems, `${where}.confirm.deny`, textOf(confirm.deny), 30);
  }
  if (element.type === 'file_input') {
    const maxFiles = element.max_files as number | undefined;
    if (maxFiles !== undefined && (maxFiles < 1 || maxFiles > 10)) problems.push(`${where}.max_files must be 1 to 10`);
  }
}

/** Problems with a list of blocks, whatever surface they are on. */
export function blockProblems(blocks: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const blockIds = new Set<string>();
  blocks.forEach((raw, index) => {
    const block = raw as Json;
    const where = `blocks[${index}]`;
    if (typeof block?.type !== 'string') {
      problems.push(`${where}.type is required`);
      return;
    }
    if (typeof block.block_id === 'string') {
      checkLength(problems, `${where}.block_id`, block.block_id, 255);
      if (blockIds.has(block.block_id)) problems.push(`${where}.block_id ${block.block_id} is not unique`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        const text = textOf(block.text);
        const fields = block.fields as Json[] | undefined;
        if (!text && !fields?.length) problems.push(`${where} needs text or fields`);
        checkLength(problems, `${where}.text`, text, 3000);
        if (fields && fields.length > 10) problems.push(`${where} has ${fields.length} fields (max 10)`);
        fields?.forEach((field, i) => {
          checkLength(problems, `${where}.fields[${i}]`, textOf(field), 2000);
        });
        if (block.accessory) checkElement(problems, `${where}.accessory`, block.accessory as Json);
        break;
      }
      case 'header':
        if (!textOf(block.text)) problems.push(`${where}.text is required`);
        checkLength(problems, `${where}.text`, textOf(block.text), 150);
        if ((block.text as Json | undefined)?.type !== 'plain_text') problems.push(`${where}.text must be plain_text`);
        break;
      case 'context': {
        const elements = (block.elements as Json[] | undefined) ?? [];
        if (elements.length < 1 || elements.length > 10) problems.push(`${where} needs 1 to 10 elements`);
        break;
      }
      case 'actions': {
        const elements = (block.elements as Json[] | undefined) ?? [];
        if (elements.length < 1 || elements.length > 25) problems.push(`${where} needs 1 to 25 elements`);
        elements.forEach((element, i) => {
          checkElement(problems, `${where}.elements[${i}]`, element);
        });
        break;
      }
      case 'input':
        if (!textOf(block.label)) problems.push(`${where}.label is required`);
        checkLength(problems, `${where}.label`, textOf(block.label), 2000);
        checkLength(problems, `${where}.hint`, textOf(block.hint), 2000);
        if (!block.element) problems.push(`${where}.element is required`);
        else checkElement(problems, `${where}.element`, block.element as Json);
        break;
      case 'image':
        if (!block.image_url && !block.slack_file) problems.push(`${where}.image_url is required`);
        checkLength(problems, `${where}.image_url`, block.image_url, 3000);
        if (!block.alt_text) problems.push(`${where}.alt_text is required`);
        checkLength(problems, `${where}.alt_text`, block.alt_text, 2000);
        break;
      case 'divider':
      case 'rich_text':
      case 'markdown':
      case 'video':
      case 'file':
        break;
      default:
        problems.push(`${where}.type ${String(block.type)} is not a block type`);
    }
  });
  return problems;
}

/** Problems with a message (`chat.postMessage`, `chat.update`, `chat.postEphemeral`, `response_url`). */
export function messageProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof message.text !== 'string' || message.text.trim() === '')
    problems.push('text (the notification fallback) is required');
  if (message.blocks !== undefined) {
    if (Array.isArray(message.blocks) && message.blocks.length > 50) {
      problems.push(`a message has ${message.blocks.length} blocks (max 50)`);
    }
    problems.push(...blockProblems(message.blocks));
  }
  return problems;
}

/** Problems with a modal or Home tab view (`views.open/update/push/publish`). */
export function viewProblems(view: unknown): string[] {
  const problems: string[] = [];
  const v = (view ?? {}) as Json;
  if (v.type !== 'modal' && v.type !== 'home') return [`view.type must be modal or home, got ${String(v.type)}`];
  const blocks = v.blocks as unknown[] | undefined;
  if (!Array.isArray(blocks)) return ['view.blocks is required'];
  if (blocks.length > 100) problems.push(`a view has ${blocks.length} blocks (max 100)`);
  problems.push(...blockProblems(blocks));
  checkLength(problems, 'view.private_metadata', v.private_metadata, 3000);
  checkLength(problems, 'view.callback_id', v.callback_id, 255);
  checkLength(problems, 'view.external_id', v.external_id, 255);
  if (v.type === 'modal') {
    const title = textOf(v.title);
    if (!title) problems.push('view.title is required');
    checkLength(problems, 'view.title', title, 24);
    checkLength(problems, 'view.submit', textOf(v.submit), 24);
    checkLength(problems, 'view.close', textOf(v.close), 24);
    if (blocks.some((block) => (block as Json)?.type === 'input') && !v.submit) {
      problems.push('must define submit to use input block');
    }
  }
  return problems;
}
