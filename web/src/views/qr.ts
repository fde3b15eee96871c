import qrcode from 'qrcode-generator';
import { svg } from '../dom';

/**
 * The `otpauth://` URI as a QR code, drawn here as SVG rectangles: the secret never leaves the page
 * for an external QR service, and no markup string is ever parsed.
 */
export function qrCode(text: string, label: string): SVGSVGElement {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const quiet = 4;
  const size = count + quiet * 2;
  const root = svg('svg', {
    class: 'qr',
    viewBox: `0 0 ${size} ${size}`,
    width: size * 5,
    height: size * 5,
    role: 'img',
    'aria-label': label,
    'shape-rendering': 'crispEdges',
  });
  root.append(svg('rect', { x: 0, y: 0, width: size, height: size, class: 'qr-light' }));
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) {
        root.append(svg('rect', { x: col + quiet, y: row + quiet, width: 1, height: 1, class: 'qr-dark' }));
      }
    }
  }
  return root;
}
