// A list row whose actions a touch swipe to the left reveals (I2 "call back", K1
// "delete"), with the same actions as visible buttons on a desktop (a fine pointer that
// can hover) and reachable by keyboard everywhere: focusing an action opens the row.
// Vertical scrolling stays the browser's (touch-action: pan-y): a gesture is taken as a
// swipe only once it moves more sideways than up or down. One row is open at a time;
// a tap elsewhere, a tap on the row or Escape closes it. The gesture decision is pure
// and exported for the tests.
import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface SwipeConfig {
  /** Width of the revealed actions, px. */
  actionWidth: number;
  /** How far (px) a drag must go from where the row rested to change its state. */
  threshold: number;
  /** Movement (px) below which a touch is a tap and its axis not decided yet. */
  slop: number;
  /** A flick at least this fast (px/ms) decides by its direction alone. */
  flick: number;
}

export const defaultSwipe: SwipeConfig = { actionWidth: 96, threshold: 40, slop: 10, flick: 0.6 };

export type Axis = 'none' | 'x' | 'y';

/** The axis a gesture moves along once it has left the slop; sideways must dominate. */
export function gestureAxis(dx: number, dy: number, slop: number): Axis {
  if (Math.abs(dx) < slop && Math.abs(dy) < slop) return 'none';
  return Math.abs(dx) > Math.abs(dy) ? 'x' : 'y';
}

/** Where the content sits (px, ≤ 0) while dragged `dx` from rest; resists past the actions. */
export function dragOffset(dx: number, wasOpen: boolean, c: SwipeConfig = defaultSwipe): number {
  const raw = (wasOpen ? -c.actionWidth : 0) + dx;
  if (raw > 0) return 0;
  if (raw < -c.actionWidth) return -c.actionWidth + (raw + c.actionWidth) / 4;
  return raw;
}

export interface Gesture {
  dx: number;
  dy: number;
  /** Duration of the gesture, ms. */
  ms: number;
  /** The row was open when the gesture began. */
  wasOpen: boolean;
  /** The axis locked while moving; computed from dx, dy when left out. */
  axis?: Axis;
}

/**
 * What a finished gesture does: `tap` (it hardly moved), `scroll` (mostly vertical: the
 * page scrolled and the row stays as it was), or the row's new state `open` / `closed`
 * — by a flick's direction, else by whether the drag passed the threshold.
 */
export type SwipeOutcome = 'tap' | 'scroll' | 'open' | 'closed';

export function swipeOutcome(g: Gesture, c: SwipeConfig = defaultSwipe): SwipeOutcome {
  const axis = g.axis && g.axis !== 'none' ? g.axis : gestureAxis(g.dx, g.dy, c.slop);
  if (axis === 'none') return 'tap';
  if (axis === 'y') return 'scroll';
  const v = g.ms > 0 ? g.dx / g.ms : 0;
  if (Math.abs(g.dx) >= c.slop && Math.abs(v) >= c.flick) return v < 0 ? 'open' : 'closed';
  const offset = dragOffset(g.dx, g.wasOpen, c);
  // How far the row moved from where it rested towards its other state.
  const moved = g.wasOpen ? offset + c.actionWidth : -offset;
  const changes = moved >= c.threshold;
  return g.wasOpen !== changes ? 'open' : 'closed';
}

// ---- the component -------------------------------------------------------------------

const openRow = signal<string | null>(null);

/** Close whichever row is open (after its action ran, say). */
export function closeSwipeRows(): void {
  openRow.value = null;
}

/** A desktop pointer: the actions are shown as buttons and there is nothing to swipe. */
function desktopPointer(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(hover: hover) and (pointer: fine)').matches;
}

interface Tracking {
  pointer: number;
  x: number;
  y: number;
  t: number;
  wasOpen: boolean;
  axis: Axis;
}

export interface SwipeRowProps {
  /** Unique among the rows on screen. */
  id: string;
  /** The row itself: a link or a button (keyboard reachable). */
  children: ComponentChildren;
  /** Buttons revealed by the swipe; none: the row does not swipe. */
  actions?: ComponentChildren;
  actionWidth?: number;
  class?: string;
}

export function SwipeRow(props: SwipeRowProps) {
  const c: SwipeConfig = { ...defaultSwipe, actionWidth: props.actionWidth ?? defaultSwipe.actionWidth };
  const open = openRow.value === props.id && !!props.actions;
  const [drag, setDrag] = useState<number | null>(null);
  const row = useRef<HTMLLIElement>(null);
  const track = useRef<Tracking | null>(null);
  const swallowClick = useRef(false);
  const swallowTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A tap anywhere else closes the open row.
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: PointerEvent) => {
      if (row.current && e.target instanceof Node && !row.current.contains(e.target) && openRow.value === props.id) {
        openRow.value = null;
      }
    };
    document.addEventListener('pointerdown', onDown, true);
    return () => document.removeEventListener('pointerdown', onDown, true);
  }, [open, props.id]);

  useEffect(
    () => () => {
      if (swallowTimer.current) clearTimeout(swallowTimer.current);
      if (openRow.value === props.id) openRow.value = null;
    },
    [props.id],
  );

  const setOpen = (v: boolean) => {
    if (v) openRow.value = props.id;
    else if (openRow.value === props.id) openRow.value = null;
  };

  // The click that ends a swipe (or the tap that closes an open row) must not open the row's link.
  const swallowNextClick = () => {
    swallowClick.current = true;
    if (swallowTimer.current) clearTimeout(swallowTimer.current);
    swallowTimer.current = setTimeout(() => {
      swallowClick.current = false;
    }, 500);
  };

  const onPointerDown = (e: PointerEvent) => {
    swallowClick.current = false;
    if (!props.actions || e.pointerType === 'mouse' || !e.isPrimary || desktopPointer()) return;
    track.current = { pointer: e.pointerId, x: e.clientX, y: e.clientY, t: e.timeStamp, wasOpen: open, axis: 'none' };
  };

  const onPointerMove = (e: PointerEvent) => {
    const g = track.current;
    if (!g || e.pointerId !== g.pointer) return;
    const dx = e.clientX - g.x;
    const dy = e.clientY - g.y;
    if (g.axis === 'none') {
      g.axis = gestureAxis(dx, dy, c.slop);
      if (g.axis === 'y') {
        track.current = null; // the page scrolls
        return;
      }
      if (g.axis === 'x') {
        try {
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
        } catch {
          /* the pointer is gone already */
        }
      }
    }
    if (g.axis === 'x') setDrag(dragOffset(dx, g.wasOpen, c));
  };

  const onPointerUp = (e: PointerEvent) => {
    const g = track.current;
    track.current = null;
    setDrag(null);
    if (!g || e.pointerId !== g.pointer) return;
    const outcome = swipeOutcome({ dx: e.clientX - g.x, dy: e.clientY - g.y, ms: e.timeStamp - g.t, wasOpen: g.wasOpen, axis: g.axis }, c);
    if (outcome === 'tap') {
      if (g.wasOpen) {
        setOpen(false);
        swallowNextClick();
      }
      return;
    }
    if (outcome === 'scroll') return;
    setOpen(outcome === 'open');
    swallowNextClick();
  };

  const onPointerCancel = () => {
    track.current = null;
    setDrag(null);
  };

  const offset = drag ?? (open ? -c.actionWidth : 0);
  const cls = ['swipe-row', props.class, open ? 'open' : '', drag !== null ? 'dragging' : '', props.actions ? 'has-actions' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li
      ref={row}
      class={cls}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) setOpen(false);
      }}
      onFocusOut={(e) => {
        const next = e.relatedTarget;
        if (open && !(next instanceof Node && row.current?.contains(next))) setOpen(false);
      }}
    >
      <div
        class="swipe-content"
        style={offset !== 0 ? { transform: `translateX(${offset}px)` } : undefined}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerCancel}
        onClickCapture={(e) => {
          if (!swallowClick.current) return;
          swallowClick.current = false;
          e.preventDefault();
          e.stopPropagation();
        }}
      >
        {props.children}
      </div>
      {props.actions && (
        <div
          class="swipe-actions"
          style={{ width: `${c.actionWidth}px` }}
          onFocusIn={() => {
            // Keyboard (or screen reader) on a touch layout: show what has the focus.
            if (!desktopPointer()) setOpen(true);
          }}
        >
          {props.actions}
        </div>
      )}
    </li>
  );
}
