import type { ReactNode, SVGProps } from "react";

interface Props extends SVGProps<SVGSVGElement> {
  /** The media's own size in pixels: children draw in those coordinates. */
  width: number;
  height: number;
  children: ReactNode;
}

/** A layer over a photo or video whose coordinates are the media's original pixels: the
 * viewBox is the media's size, stretched over the element it covers. Face boxes and
 * heatmaps both draw in it, so they meet the face they belong to. */
export function Overlay({ width, height, children, ...rest }: Props) {
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      className="pointer-events-none absolute inset-0 h-full w-full"
      {...rest}
    >
      {children}
    </svg>
  );
}
