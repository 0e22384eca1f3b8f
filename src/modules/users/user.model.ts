/** A user as the service layer sees it, independent of any transport or table. */
export interface User {
  id: string;
  name: string;
  email: string;
  age: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  name: string;
  email: string;
  age: number;
}

export type UserChanges = Partial<NewUser>;

export interface UserPage {
  users: User[];
  /** The id to continue after, or undefined on the last page. */
  nextCursor: string | undefined;
}
