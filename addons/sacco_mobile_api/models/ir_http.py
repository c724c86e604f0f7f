from odoo import models

from ..any_path import ANY_PATH, AnyPathConverter


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_converters(cls):
        return {**super()._get_converters(), ANY_PATH: AnyPathConverter}
