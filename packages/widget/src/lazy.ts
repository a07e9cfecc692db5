/**
 * Loads the conversation chunk (name prompt, chat, call) on first use, once
 * per page, from the widget's server, and binds it to this bundle's Preact.
 */
import { Fragment, h } from 'preact';
import { jsx, jsxs } from 'preact/jsx-runtime';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type * as ConversationModule from './conversation.js';

export type Conversation = typeof ConversationModule;

/** Set by build.mjs: the chunk's content hash, so a new release is never mixed with a cached old chunk. */
declare const __CW_CHUNK_VERSION__: string;

const loading = new Map<string, Promise<Conversation>>();

/** The chunk's URL for a server base. */
export function chunkUrl(server: string): string {
  const v = typeof __CW_CHUNK_VERSION__ === 'string' ? __CW_CHUNK_VERSION__ : 'dev';
  return new URL(`widget/conversation.js?v=${v}`, server.endsWith('/') ? server : `${server}/`).href;
}

/** Imports the chunk (deduplicated; a failure may be retried). */
export function loadConversation(server: string): Promise<Conversation> {
  const url = chunkUrl(server);
  let p = loading.get(url);
  if (!p) {
    p = (import(/* @vite-ignore */ url) as Promise<Conversation>).then((m) => {
      m.setDeps({ h, Fragment, jsx, jsxs, useState, useEffect, useRef, useReducer });
      return m;
    });
    loading.set(url, p);
    p.catch(() => loading.delete(url));
  }
  return p;
}
