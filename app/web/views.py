from flask import render_template_string

from app.web import bp


@bp.get("/")
def start():
    return render_template_string("<!doctype html><title>checker</title><p>start")
