import type { PlatformName, PostType } from '../platforms/types.ts';

/** The post types each platform offers, with the words people see. */
export const postTypeOptions: Record<PlatformName, { type: PostType; label: string }[]> = {
  instagram: [
    { type: 'instagram_feed', label: 'Feed post (one image)' },
    { type: 'instagram_carousel', label: 'Carousel (2 to 10 images or videos)' },
    { type: 'instagram_reel', label: 'Reel (one video)' },
    { type: 'instagram_story', label: 'Story (one image or video)' },
  ],
  facebook: [
    { type: 'facebook_text', label: 'Text or link' },
    { type: 'facebook_photo', label: 'Photo(s)' },
    { type: 'facebook_video', label: 'Video' },
  ],
  tiktok: [
    { type: 'tiktok_video', label: 'Video' },
    { type: 'tiktok_photo', label: 'Photo post' },
  ],
};

export function platformOf(type: PostType): PlatformName {
  return type.split('_')[0] as PlatformName;
}

export function postTypeLabel(type: PostType): string {
  return postTypeOptions[platformOf(type)].find((option) => option.type === type)?.label ?? type;
}

/** Post types that carry no media. */
export const textOnlyTypes: PostType[] = ['facebook_text'];
