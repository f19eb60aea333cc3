"""PLACEHOLDER until the control API lands."""

from flask import Blueprint
from flask import jsonify

bp = Blueprint("twilio_control", __name__, url_prefix="/sandbox/api/twilio")


@bp.get("")
def state():
    return jsonify(connections=[])
