"""The one error a file that cannot be loaded raises, with where (file, sheet, row, column) and how to fix it."""

from __future__ import annotations

from analytics.i18n import TEXT, msg


class IngestError(Exception):
    """A file that cannot be loaded at all: nothing from it reaches the database.

    Carries where (file, sheet, row, column) and how to fix it, rendered in either language.
    """

    def __init__(self, key: str, *, file: str, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, hint: str | None = None, hint_params: dict | None = None,
                 json_path: str | None = None, **params):
        self.key, self.file, self.sheet, self.row, self.column = key, file, sheet, row, column
        self.json_path = json_path
        self.hint = hint if hint is not None else (f"{key}_hint" if f"{key}_hint" in TEXT else None)
        self.hint_params = hint_params or {}
        self.params = params
        super().__init__(self.render("en"))

    def __reduce__(self):  # rebuilt with its keywords when sent from a child process
        return (_rebuild, (self.key, self.file, self.sheet, self.row, self.column, self.hint, self.hint_params,
                           self.json_path, self.params))

    def where(self, lang: str | None = None) -> str:
        text = msg("where", lang, file=self.file)
        if self.sheet:
            text += msg("where_sheet", lang, sheet=self.sheet)
        if self.row:
            text += msg("where_row", lang, row=self.row)
        if self.column:
            text += msg("where_column", lang, column=self.column)
        if self.json_path:
            text += msg("where_json", lang, path=self.json_path)
        return text

    def render(self, lang: str | None = None) -> str:
        """The full message: where, what, and how to fix it."""
        text = f"{self.where(lang)}: {msg(self.key, lang, **self.params)}"
        if self.hint:
            hint = msg(self.hint, lang, **self.hint_params) if self.hint in TEXT else self.hint
            text += ". " + msg("fix", lang, hint=hint)
        return text


def _rebuild(key, file, sheet, row, column, hint, hint_params, json_path, params) -> IngestError:
    return IngestError(key, file=file, sheet=sheet, row=row, column=column, hint=hint, hint_params=hint_params,
                       json_path=json_path, **params)
