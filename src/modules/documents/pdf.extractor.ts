import { getDocumentProxy } from 'unpdf';
import type { DocumentExtractor, ExtractedSection } from './extractor.types';
import { ExtractionRefused, textBudget } from './extractor.types';

type TextItem = { str?: string; hasEOL?: boolean };

/**
 * PDF text through unpdf (pdf.js built for serverless runtimes). The page count is checked before any
 * page is read, and the text cap after each page, so a huge PDF costs one parse of its catalogue, not
 * a full extraction. Scripts hidden where the upload check cannot see them (compressed object
 * streams) are found here, on the parsed document, and fail it.
 */
export const pdfExtractor: DocumentExtractor = {
  kinds: ['pdf'],
  async extract(bytes, limits) {
    let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
    try {
      // A copy: pdf.js may transfer (detach) the buffer it is given.
      pdf = await getDocumentProxy(bytes.slice(), { stopAtErrors: true });
    } catch {
      throw new ExtractionRefused('The PDF could not be read (damaged or encrypted).');
    }
    try {
      if (pdf.numPages > limits.maxPages) {
        throw new ExtractionRefused(`The PDF has ${pdf.numPages} pages; at most ${limits.maxPages} are accepted.`);
      }
      const [actions, attachments] = await Promise.all([pdf.getJSActions(), pdf.getAttachments()]);
      if ((actions && Object.keys(actions).length > 0) || (attachments && attachments.size > 0)) {
        throw new ExtractionRefused('The PDF contains scripts or embedded files.');
      }
      const spend = textBudget(limits);
      const sections: ExtractedSection[] = [];
      for (let number = 1; number <= pdf.numPages; number++) {
        const page = await pdf.getPage(number);
        const pageActions = await page.getJSActions();
        if (pageActions && Object.keys(pageActions).length > 0) {
          throw new ExtractionRefused('The PDF contains scripts or embedded files.');
        }
        const content = await page.getTextContent();
        const text = (content.items as TextItem[])
          .map((item) => `${item.str ?? ''}${item.hasEOL ? '\n' : ''}`)
          .join('')
          .trim();
        page.cleanup();
        spend(text);
        if (text) sections.push({ heading: `Page ${number}`, text });
      }
      return { pageCount: pdf.numPages, sections };
    } catch (error) {
      if (error instanceof ExtractionRefused) throw error;
      throw new ExtractionRefused('The PDF could not be read (damaged or encrypted).');
    } finally {
      await pdf.loadingTask.destroy().catch(() => undefined);
    }
  },
};
