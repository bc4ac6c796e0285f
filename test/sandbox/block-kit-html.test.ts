import { describe, expect, it } from 'vitest';
import { blockIdOf, renderBlocks, withBlockIds } from '../../src/sandbox/block-kit-html.ts';
import { mrkdwnToHtml } from '../../src/sandbox/mrkdwn-html.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const md = (text: string) => ({ type: 'mrkdwn', text });

describe('mrkdwn as HTML', () => {
  it('formats bold, italic, strike, code, quotes and line breaks', () => {
    expect(mrkdwnToHtml('*New* _draft_ ~old~ `code`')).toBe(
      '<strong>New</strong> <em>draft</em> <del>old</del> <code>code</code>',
    );
    expect(mrkdwnToHtml('one\n&gt; quoted\ntwo')).toBe('one<br><blockquote>quoted</blockquote>two');
    expect(mrkdwnToHtml('```a *b*\n<c>```')).toBe('<pre>a *b*\n&#60;c&#62;</pre>');
  });

  it('renders links and mentions with the names the directory gives', () => {
    const html = mrkdwnToHtml('<@U0EDITOR> in <#C0APPROVALS> see <https://example.com/a?b=1&c=2|the post>', {
      users: { U0EDITOR: 'Eddie' },
      channels: { C0APPROVALS: 'social-approvals' },
    });
    expect(html).toContain('<span class="mention">@Eddie</span>');
    expect(html).toContain('<span class="mention">#social-approvals</span>');
    expect(html).toContain(
      '<a href="https://example.com/a?b=1&#38;c=2" target="_blank" rel="noopener noreferrer">the post</a>',
    );
  });

  it('never lets text become markup', () => {
    const html = mrkdwnToHtml('<script>alert(1)</script> "quoted" <img src=x onerror=alert(1)> &lt;b&gt;');
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&#60;b&#62;');
    expect(mrkdwnToHtml('<javascript:alert(1)|click me>')).toBe('click me');
    // A forged placeholder pulls in nothing.
    expect(mrkdwnToHtml('\uE0000\uE001 *x*')).toBe('0 <strong>x</strong>');
  });
});

describe('Block Kit as HTML', () => {
  it('lays out a message: header, section with fields and a button accessory, context, divider, image, actions', () => {
    const html = renderBlocks([
      { type: 'header', text: plain('New draft') },
      {
        type: 'section',
        block_id: 'summary',
        text: md('*Caption* here'),
        fields: [md('*Accounts*\nInstagram'), md('*When*\nTomorrow')],
        accessory: { type: 'button', action_id: 'edit', text: plain('Edit'), value: 'p1' },
      },
      {
        type: 'context',
        elements: [md('by <@U0EDITOR>'), { type: 'image', image_url: 'https://x/a.png', alt_text: 'a' }],
      },
      { type: 'divider' },
      { type: 'image', image_url: 'http://localhost:3000/media/1?e=1&s=2', alt_text: 'Preview', title: plain('Photo') },
      {
        type: 'actions',
        block_id: 'decide',
        elements: [
          { type: 'button', action_id: 'approve', text: plain('Approve'), style: 'primary', value: 'p1' },
          {
            type: 'button',
            action_id: 'reject',
            text: plain('Reject'),
            style: 'danger',
            confirm: {
              title: plain('Reject this post?'),
              text: md('It will not be published.'),
              confirm: plain('Reject'),
              deny: plain('Keep'),
              style: 'danger',
            },
          },
        ],
      },
    ]);
    expect(html).toContain('<div class="bk-block bk-header" data-block="sbx-0">New draft</div>');
    expect(html).toContain('<strong>Caption</strong> here');
    expect(html.match(/class="bk-field"/g)).toHaveLength(2);
    expect(html).toContain('data-kind="button" data-block-id="summary" data-action-id="edit">Edit</button>');
    expect(html).toContain('<span class="bk-context-text">by <span class="mention">@U0EDITOR</span></span>');
    expect(html).toContain('<hr class="bk-block bk-divider" data-block="sbx-3">');
    expect(html).toContain('src="http://localhost:3000/media/1?e=1&#38;s=2" alt="Preview"');
    expect(html).toContain('<div class="bk-image-title">Photo</div>');
    expect(html).toContain(
      'class="bk-button bk-button-primary" data-kind="button" data-block-id="decide" data-action-id="approve"',
    );
    expect(html).toContain('class="bk-button bk-button-danger"');
    const confirm = /data-confirm="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(JSON.parse(confirm.replace(/&#34;/g, '"'))).toEqual({
      title: 'Reject this post?',
      text: 'It will not be published.',
      confirm: 'Reject',
      deny: 'Keep',
      style: 'danger',
    });
  });

  it('renders every modal input the app uses, with initial values, optional marks, hints and errors', () => {
    const options = [
      { text: plain('Instagram · @wone'), value: 'instagram:1' },
      { text: plain('Facebook · Wone'), value: 'facebook:2' },
    ];
    const input = (blockId: string, element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      type: 'input',
      block_id: blockId,
      label: plain(blockId),
      element: { action_id: 'value', ...element },
      ...extra,
    });
    const html = renderBlocks(
      [
        input('title', { type: 'plain_text_input', initial_value: 'Hi "there"', max_length: 50 }),
        input(
          'caption',
          { type: 'plain_text_input', multiline: true, initial_value: '<b>launch</b>' },
          { optional: true },
        ),
        input('accounts', { type: 'multi_static_select', options, initial_options: [options[1]] }),
        input('type', {
          type: 'static_select',
          option_groups: [{ label: plain('Feed'), options: [{ text: plain('Photo'), value: 'photo' }] }],
          initial_option: { text: plain('Photo'), value: 'photo' },
        }),
        input('privacy', { type: 'radio_buttons', options, initial_option: options[0] }),
        input('allow', { type: 'checkboxes', options, initial_options: [options[0], options[1]] }),
        input('date', { type: 'datepicker', initial_date: '2026-12-01' }),
        input('time', { type: 'timepicker', initial_time: '09:30' }),
        input('at', { type: 'datetimepicker', initial_date_time: Date.UTC(2027, 0, 1) / 1000 }),
        input('media', { type: 'file_input', max_files: 4, filetypes: ['jpg', 'mp4'] }, { hint: plain('Up to 4') }),
        input('link', { type: 'url_text_input' }),
      ],
      { errors: { caption: 'Write a caption of at most 2,200 characters.' }, timezone: 'Europe/Berlin' },
    );
    expect(html).toContain(
      '<input type="text" class="bk-text-input" data-field name="title:value" id="bk-field-title:value" maxlength="50" value="Hi &#34;there&#34;">',
    );
    expect(html).toContain(
      '<textarea class="bk-textarea" rows="4" data-field name="caption:value" id="bk-field-caption:value">&#60;b&#62;launch&#60;/b&#62;</textarea>',
    );
    expect(html).toContain('<span class="bk-optional">(optional)</span>');
    // Each single control is named by its label; a group of choices by each choice's label.
    expect(html).toContain('<label class="bk-label" for="bk-field-title:value">title</label>');
    expect(html).toContain('<label class="bk-label">privacy</label>');
    expect(html).toContain('<div class="bk-error" role="alert">Write a caption of at most 2,200 characters.</div>');
    expect(html).toContain('class="bk-block bk-input bk-has-error" data-block="caption"');
    expect(html).toContain(
      '<select multiple class="bk-multi-select" data-field name="accounts:value" id="bk-field-accounts:value"><option value="instagram:1">',
    );
    expect(html).toContain('<option value="facebook:2" selected>Facebook · Wone</option>');
    expect(html).toContain('<optgroup label="Feed"><option value="photo" selected>Photo</option></optgroup>');
    expect(html).toMatch(/type="radio" data-field name="privacy:value" value="instagram:1" checked/);
    expect(html.match(/type="checkbox" data-field name="allow:value" value="[^"]+" checked/g)).toHaveLength(2);
    expect(html).toContain(
      'type="date" class="bk-date" data-field name="date:value" id="bk-field-date:value" value="2026-12-01"',
    );
    expect(html).toContain(
      'type="time" class="bk-time" data-field name="time:value" id="bk-field-time:value" value="09:30"',
    );
    // Midnight UTC is 01:00 in Berlin.
    expect(html).toContain(
      'type="datetime-local" class="bk-datetime" data-field name="at:value" id="bk-field-at:value" value="2027-01-01T01:00"',
    );
    expect(html).toContain(
      'type="file" class="bk-file" data-field name="media:value" id="bk-field-media:value" multiple accept=".jpg,.mp4" data-max-files="4"',
    );
    expect(html).toContain('<div class="bk-hint">Up to 4</div>');
    expect(html).toContain('type="url" class="bk-text-input" data-field name="link:value"');
    expect(html.match(/data-input data-block-id="[^"]+" data-action-id="value" data-type="[a-z_]+"/g)).toHaveLength(11);
  });

  it('escapes captions and ids everywhere, and refuses unsafe image and link URLs', () => {
    const hostile = '"><script>alert(1)</script>';
    const html = renderBlocks([
      { type: 'section', block_id: hostile, text: plain(hostile) },
      { type: 'image', image_url: 'javascript:alert(1)', alt_text: hostile },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: hostile, text: plain(hostile), url: 'javascript:x' }],
      },
      { type: 'header', text: plain('<img src=x onerror=alert(1)>') },
    ]);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('names blocks without a block id by position, the same way every time', () => {
    const blocks = [{ type: 'divider' }, { type: 'section', block_id: 'kept', text: plain('x') }];
    expect(blockIdOf(blocks[0], 0)).toBe('sbx-0');
    expect(withBlockIds(blocks)).toEqual([
      { type: 'divider', block_id: 'sbx-0' },
      { type: 'section', block_id: 'kept', text: plain('x') },
    ]);
  });

  it('shows what it cannot draw instead of dropping it', () => {
    expect(renderBlocks([{ type: 'table' }])).toContain('[table block]');
    expect(renderBlocks('not blocks')).toBe('');
  });
});
