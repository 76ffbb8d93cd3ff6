"""Clinical features on top of recognised entities: ICD-10 coding, structure, summary,
comorbidity timeline and clinician feedback. Pure library code; no model is run here.
"""
