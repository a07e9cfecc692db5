/**
 * Stands in for `preact`, `preact/hooks` and `preact/jsx-runtime` inside the
 * lazily loaded conversation chunk (build.mjs maps those imports here). The
 * main bundle calls `setDeps` with its own Preact before rendering anything
 * from the chunk; ES module live bindings make the assigned values visible
 * to every importer.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export let h: any;
export let Fragment: any;
export let jsx: any;
export let jsxs: any;
export let useState: any;
export let useEffect: any;
export let useRef: any;
export let useReducer: any;

/** What the main bundle hands over. */
export interface PreactDeps {
  h: unknown;
  Fragment: unknown;
  jsx: unknown;
  jsxs: unknown;
  useState: unknown;
  useEffect: unknown;
  useRef: unknown;
  useReducer: unknown;
}

/** Binds the chunk to the main bundle's Preact. */
export function setDeps(d: PreactDeps): void {
  ({ h, Fragment, jsx, jsxs, useState, useEffect, useRef, useReducer } = d as Record<string, any>);
}
