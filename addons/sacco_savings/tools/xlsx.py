"""XLSX exports built in memory with xlsxwriter and handed to the browser as attachments."""

import io
from datetime import date

import xlsxwriter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_table(sheet_name, title_rows, header, rows, money_columns=()):
    """One sheet: ``title_rows`` (label, value) pairs and a blank row, if any, then ``header``
    and ``rows``; columns in ``money_columns`` get a thousands, 2-decimal format. Returns bytes."""
    return xlsx_workbook([(sheet_name, title_rows, header, rows, money_columns)])


def xlsx_workbook(sheets):
    """A workbook of ``(name, title_rows, header, rows, money_columns)`` sheets, each laid out
    as :func:`xlsx_table` describes. Returns bytes."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for name, title_rows, header, rows, money_columns in sheets:
        _write_sheet(workbook.add_worksheet(name), formats, title_rows, header, rows, money_columns)
    workbook.close()
    return output.getvalue()


def _write_sheet(sheet, formats, title_rows, header, rows, money_columns):
    for row, (label, value) in enumerate(title_rows):
        sheet.write(row, 0, label, formats["bold"])
        sheet.write(row, 1, value, formats["day"] if isinstance(value, date) else None)
    header_row = len(title_rows) + 1 if title_rows else 0
    sheet.write_row(header_row, 0, header, formats["bold"])
    sheet.freeze_panes(header_row + 1, 0)
    for row, values in enumerate(rows, header_row + 1):
        for column, value in enumerate(values):
            if isinstance(value, date):
                cell_format = formats["day"]
            else:
                cell_format = formats["money"] if column in money_columns else None
            sheet.write(row, column, value, cell_format)
    sheet.set_column(0, len(header) - 1, 18)


def download_action(record, filename, data):
    """Store ``data`` as an attachment of ``record`` (so its access rules apply) and return
    the action downloading it."""
    attachment = record.env["ir.attachment"].create(
        {
            "name": filename,
            "raw": data,
            "mimetype": XLSX_MIMETYPE,
            "res_model": record._name,
            "res_id": record.id,
        }
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }
