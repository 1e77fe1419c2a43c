"""The method, as the report prints it (French). The full text: docs/barometer-method.md."""

from __future__ import annotations

METHOD: list[tuple[str, str]] = [
    (
        "Contrat",
        "Un contrat est identifié par sa clé nationale (SIRET de l'acheteur + identifiant du "
        "marché) et compté une seule fois, quel que soit le nombre de sources qui l'ont "
        "publié. L'année est celle de la date de notification ; les contrats sans date de "
        "notification valide sont exclus des chiffres annuels et comptés comme « non datés ».",
    ),
    (
        "Valeur",
        "La valeur est le montant initial hors taxes (les modifications ne sont pas "
        "ajoutées). Les montants signalés invalides à l'import (nuls ou négatifs, valeurs de "
        "remplissage, montants supérieurs ou égaux au seuil des montants aberrants) sont "
        "exclus des totaux en valeur mais les contrats restent comptés en nombre ; leur "
        "nombre est publié (« montants exclus »).",
    ),
    (
        "Plusieurs titulaires",
        "Le montant est partagé à parts égales entre les titulaires et le contrat compte "
        "pour une fraction (1/n par titulaire). Un titulaire sans SIREN valide n'est pas une "
        "start-up. Le nombre de contrats ayant au moins une start-up parmi leurs titulaires "
        "est aussi publié.",
    ),
    (
        "Start-up",
        "Un titulaire est une start-up si son SIREN l'est à la date de notification du "
        "contrat selon la définition choisie (nom et version indiqués en tête du rapport). "
        "Une start-up labellisée après la notification ne compte pas pour ce contrat.",
    ),
    (
        "Parts",
        "Part en valeur = montant attribué aux start-up / montant total valide. Part en "
        "nombre = nombre (fractionnaire) de contrats attribués aux start-up / nombre total "
        "de contrats datés de l'année.",
    ),
    (
        "Périmètres",
        "Chaque acheteur a un périmètre (État, établissements publics de l'État, "
        "collectivités, hôpitaux, autres). Un acheteur absent de la table des acheteurs est "
        "compté dans « autres », et le rapport le signale. Le ministère n'est donné que pour "
        "l'État.",
    ),
    (
        "Objectif",
        "L'écart à l'objectif de l'État se mesure sur le périmètre de l'objectif : en points "
        "(objectif − part en valeur) et en euros au volume de l'année (objectif × montant "
        "total − montant attribué aux start-up).",
    ),
    (
        "Couverture",
        "Une part faible peut venir d'un défaut de publication : le rapport donne, par "
        "périmètre et par acheteur, les contrats publiés par année, la première et la "
        "dernière publication, les acheteurs qui n'ont rien publié cette année alors qu'ils "
        "publiaient avant, et la part des titulaires ayant un SIREN valide.",
    ),
]
