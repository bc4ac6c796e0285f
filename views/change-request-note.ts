import type { KnownBlock, ModalView } from '@slack/types';
import type { Decision } from '../src/services/posts.ts';
import { escapeMrkdwn, truncate } from './slack-text.ts';

/** The block id of the note, so a redrawn modal can keep it. */
export const changeRequestBlockId = 'change_request';

/**
 * The change request (or the reason the media were refused) at the top of the Edit modal, so the requester edits with
 * it in view; nothing when the post's last decision was not one.
 */
export function changeRequestBlock(last: Decision | undefined): KnownBlock | undefined {
  if (!last?.note) return undefined;
  if (last.action !== 'changes_requested' && last.action !== 'media_refused') return undefined;
  const who = last.by === 'system' ? 'Wone' : `<@${last.by}>`;
  const asked = last.action === 'changes_requested' ? 'asked for changes' : 'could not use the media';
  return {
    type: 'context',
    block_id: changeRequestBlockId,
    elements: [{ type: 'mrkdwn', text: truncate(`:pencil2: ${who} ${asked}: ${escapeMrkdwn(last.note)}`, 2900) }],
  };
}

/** The modal with `note` first (unchanged when there is no note, or it is already there). */
export function withChangeRequest(view: ModalView, note: KnownBlock | undefined): ModalView {
  if (!note || view.blocks.some((block) => block.block_id === changeRequestBlockId)) return view;
  return { ...view, blocks: [note, ...view.blocks].slice(0, 100) };
}
