"""Documents the portal prints: PDFs rendered from our own Jinja templates by WeasyPrint (which embeds
the CFF-based Noto CJK fonts that ReportLab cannot), and Excel files written by xlsxwriter. No Flask."""
