/** A {{nameText}} as the service layer sees it, independent of any transport or table. */
export interface {{Name}} {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface New{{Name}} {
  name: string;
}

export type {{Name}}Changes = Partial<New{{Name}}>;

export interface {{Name}}Page {
  {{names}}: {{Name}}[];
  /** The id to continue after, or undefined on the last page. */
  nextCursor: string | undefined;
}
